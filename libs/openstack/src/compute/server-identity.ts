import type { VmDescription } from '@ferry/contracts';

const PLACEHOLDER = /\{([a-z]*)\}/g;
const KNOWN = new Set(['vm', 'job', 'source']);

/** Placeholders of a server name template that Ferry does not know, to refuse it before any copy. */
export const unknownPlaceholders = (template: string): string[] =>
  [...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '').filter((p) => !KNOWN.has(p));

/** The server's name: the template filled in ({vm}, {job}, {source}), or the VM's name. */
export function serverName(
  template: string | null | undefined,
  vm: Pick<VmDescription, 'name' | 'source'>,
  jobId: string,
): string {
  if (!template) return vm.name;
  const values: Record<string, string> = { vm: vm.name, job: jobId, source: vm.source.id };
  // Nova's names are 1–255 characters.
  return (
    template.replace(PLACEHOLDER, (all, p: string) => values[p] ?? all).slice(0, 255) || vm.name
  );
}

// Nova's metadata: keys of [A-Za-z0-9-_:. ], keys and values of at most 255 characters.
const key = (name: string) => name.replace(/[^A-Za-z0-9\-_:. ]/g, '_').slice(0, 255);
const value = (text: string) => (text.length > 255 ? `${text.slice(0, 254)}…` : text);

/**
 * What the source says of the VM, carried as the server's metadata: its annotation (cut to Nova's
 * 255 characters; the whole of it stays in the job) and its custom attributes.
 */
export function sourceMetadata(
  vm: Pick<VmDescription, 'annotation' | 'attributes'>,
): Record<string, string> {
  const metadata: Record<string, string> = {};
  if (vm.annotation?.trim()) metadata['vmware_annotation'] = value(vm.annotation.trim());
  for (const [name, text] of Object.entries(vm.attributes ?? {}))
    metadata[key(`vmware_attr_${name}`)] = value(text);
  return metadata;
}
