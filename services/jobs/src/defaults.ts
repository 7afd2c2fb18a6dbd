import type { MigrationOptions } from '@ferry/contracts';

/** A job's options where its create command names none: guest conversion where possible, the smallest flavor that fits. */
export const DEFAULT_OPTIONS: MigrationOptions = {
  strategy: 'auto',
  bootMode: 'auto',
  flavor: null,
  networkMapping: {},
  keepMac: false,
  keepIps: false,
  availabilityZone: null,
};
