import type { MigrationOptionsInput } from '../api/types.ts';

export const STRATEGIES = ['auto', 'virt-v2v', 'qemu-img'] as const;
export const BOOT_MODES = ['auto', 'image', 'volume'] as const;

export interface NetworkRow {
  readonly id: number;
  readonly source: string;
  readonly target: string;
}

/** The migrate form as the operator fills it in. */
export interface MigrateForm {
  readonly strategy: (typeof STRATEGIES)[number];
  readonly bootMode: (typeof BOOT_MODES)[number];
  readonly flavor: string;
  readonly networks: readonly NetworkRow[];
  readonly keepMac: boolean;
  readonly keepIps: boolean;
  readonly availabilityZone: string;
}

export const DEFAULT_MIGRATE_FORM: MigrateForm = {
  strategy: 'auto',
  bootMode: 'auto',
  flavor: '',
  networks: [],
  keepMac: false,
  keepIps: false,
  availabilityZone: '',
};

/**
 * The `migrate(options:)` input for a form: the flavor trimmed (left out when empty, so the
 * smallest fitting flavor is picked), blank network rows dropped. A half-filled row is an error.
 */
export function migrationOptions(
  form: MigrateForm,
):
  | { readonly ok: true; readonly options: MigrationOptionsInput }
  | { readonly ok: false; readonly error: string } {
  const networkMapping: { source: string; target: string }[] = [];
  for (const [at, row] of form.networks.entries()) {
    const source = row.source.trim();
    const target = row.target.trim();
    if (!source && !target) continue;
    if (!source || !target) {
      return {
        ok: false,
        error: `Network mapping row ${at + 1} needs both a source and a target.`,
      };
    }
    networkMapping.push({ source, target });
  }
  const options: MigrationOptionsInput = {
    strategy: form.strategy,
    bootMode: form.bootMode,
    keepMac: form.keepMac,
    keepIps: form.keepIps,
  };
  const flavor = form.flavor.trim();
  if (flavor) options.flavor = flavor;
  const zone = form.availabilityZone.trim();
  if (zone) options.availabilityZone = zone;
  if (networkMapping.length > 0) options.networkMapping = networkMapping;
  return { ok: true, options };
}
