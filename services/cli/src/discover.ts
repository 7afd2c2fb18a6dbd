import { parseArgs } from 'node:util';
import { ConfigError, environment, loadConfig } from '@ferry/config';
import {
  configuredSources,
  SOURCE_SETTINGS,
  vsphereSource,
  workstationSource,
  type InventorySource,
} from '@ferry/vmware';
import { table } from './describe.ts';
import { document, FORMAT_FLAGS, formatOf, type Format } from './format.ts';

/**
 * `ferry discover`: the inventory of every source, a table of VMs or a document; exit 1 when a
 * source failed.
 */
export async function discover(args: string[]): Promise<number> {
  let sources: InventorySource[];
  let format: Format;
  try {
    const { values } = parseArgs({ args, options: DISCOVER_FLAGS, strict: true });
    format = formatOf(values);
    sources = fromFlags(values) ?? configuredSources(loadConfig(SOURCE_SETTINGS, environment()));
  } catch (error) {
    process.stderr.write(
      `ferry discover: ${error instanceof ConfigError ? error.message : (error as Error).message}\n`,
    );
    return 2;
  }
  if (sources.length === 0) {
    process.stderr.write(
      'ferry discover: no source: give --workstation, --esxi or --vcenter, or set VMWARE_WORKSTATION_PATHS / VMWARE_ESXI_HOST / VMWARE_VCENTER_HOST\n',
    );
    return 2;
  }
  const results = await Promise.all(
    sources.map(async (source) => {
      try {
        return { source: source.ref, ...(await source.scan()) };
      } catch (error) {
        return { source: source.ref, error: (error as Error).message };
      }
    }),
  );
  if (format !== 'table') process.stdout.write(document(format, { sources: results }));
  else {
    const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
    process.stdout.write(
      table([
        ['SOURCE', 'KEY', 'NAME', 'POWER', 'CPUS', 'MEMORY', 'DISKS', 'PROBLEMS'],
        ...results.flatMap((r) =>
          'vms' in r
            ? r.vms.map((vm) => [
                `${r.source.kind} ${r.source.id}`,
                vm.key,
                vm.name,
                vm.powerState,
                String(vm.cpus),
                `${vm.memoryMiB} MiB`,
                vm.disks.map((d) => gib(d.capacityBytes)).join(', ') || '-',
                vm.problems?.join('; ') || '-',
              ])
            : [],
        ),
      ]),
    );
    // What could not be read goes to stderr, so the table stays one VM per line.
    for (const r of results) {
      const where = `${r.source.kind} ${r.source.id}`;
      if ('error' in r) process.stderr.write(`ferry discover: ${where}: unreachable: ${r.error}\n`);
      else
        for (const u of r.unreadable)
          process.stderr.write(`ferry discover: ${where}: unreadable ${u.location}: ${u.error}\n`);
    }
  }
  return results.some((r) => 'error' in r) ? 1 : 0;
}

export const DISCOVER_FLAGS = {
  ...FORMAT_FLAGS,
  workstation: { type: 'string', multiple: true },
  esxi: { type: 'string' },
  vcenter: { type: 'string' },
  username: { type: 'string' },
  insecure: { type: 'boolean', default: false },
  thumbprint: { type: 'string' },
} as const;

function fromFlags(values: {
  workstation?: string[] | undefined;
  esxi?: string | undefined;
  vcenter?: string | undefined;
  username?: string | undefined;
  insecure?: boolean | undefined;
  thumbprint?: string | undefined;
}): InventorySource[] | undefined {
  if (!values.workstation && !values.esxi && !values.vcenter) return undefined;
  const sources = (values.workstation ?? []).map(workstationSource);
  for (const [kind, host, envVar] of [
    ['esxi', values.esxi, 'VMWARE_ESXI_PASSWORD'],
    ['vcenter', values.vcenter, 'VMWARE_VCENTER_PASSWORD'],
  ] as const) {
    if (!host) continue;
    const password = process.env[envVar];
    if (!values.username || !password)
      throw new Error(`--${kind} needs --username and the password in ${envVar}`);
    sources.push(
      vsphereSource(kind, {
        url: host,
        username: values.username,
        password,
        insecure: values.insecure ?? false,
        ...(values.thumbprint ? { thumbprint: values.thumbprint } : {}),
      }),
    );
  }
  return sources;
}
