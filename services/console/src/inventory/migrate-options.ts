import type { MigrationOptions, MigrationOptionsInput } from '../api/types.ts';

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
  /** Names or ids, separated by commas or spaces. */
  readonly securityGroups: string;
  readonly keyName: string;
  readonly volumeType: string;
  readonly serverName: string;
}

export const DEFAULT_MIGRATE_FORM: MigrateForm = {
  strategy: 'auto',
  bootMode: 'auto',
  flavor: '',
  networks: [],
  keepMac: false,
  keepIps: false,
  availabilityZone: '',
  securityGroups: '',
  keyName: '',
  volumeType: '',
  serverName: '',
};

/** A job's options as the form shows them: what an edit-and-retry starts from. */
export const formOf = (options: MigrationOptions): MigrateForm => ({
  strategy: STRATEGIES.find((s) => s === options.strategy) ?? 'auto',
  bootMode: BOOT_MODES.find((b) => b === options.bootMode) ?? 'auto',
  flavor: options.flavor ?? '',
  networks: options.networkMapping.map((m, at) => ({ id: -1 - at, ...m })),
  keepMac: options.keepMac,
  keepIps: options.keepIps,
  availabilityZone: options.availabilityZone ?? '',
  securityGroups: options.securityGroups.join(', '),
  keyName: options.keyName ?? '',
  volumeType: options.volumeType ?? '',
  serverName: options.serverName ?? '',
});

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
  // Every text option is sent, empty ones too: an empty text clears the choice in an edit-and-retry.
  const options: MigrationOptionsInput = {
    strategy: form.strategy,
    bootMode: form.bootMode,
    keepMac: form.keepMac,
    keepIps: form.keepIps,
    flavor: form.flavor.trim(),
    availabilityZone: form.availabilityZone.trim(),
    keyName: form.keyName.trim(),
    volumeType: form.volumeType.trim(),
    serverName: form.serverName.trim(),
    securityGroups: [...new Set(form.securityGroups.split(/[\s,]+/).filter(Boolean))],
    networkMapping,
  };
  return { ok: true, options };
}
