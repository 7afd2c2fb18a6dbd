import type { VmDescription } from '@ferry/contracts';

/** A VM as discovery describes one, powered off with no disk or NIC; `over` sets what a spec is about. */
export const vmDescription = (key: string, over: Partial<VmDescription> = {}): VmDescription => ({
  key,
  name: key,
  source: { kind: 'workstation', id: '/vms' },
  cpus: 1,
  memoryMiB: 1,
  firmware: 'bios',
  secureBoot: false,
  guestOs: 'x',
  powerState: 'poweredOff',
  hasSnapshots: false,
  disks: [],
  nics: [],
  ...over,
});
