import {
  Bytes,
  Closed,
  Count,
  Name,
  OneOf,
  StringMap,
  Text,
  Type,
  VmKey,
  type Infer,
} from './schema.ts';

export const SOURCE_KINDS = ['workstation', 'esxi', 'vcenter'] as const;
export const SourceRef = Closed({
  kind: OneOf(SOURCE_KINDS),
  id: Type.String({
    minLength: 1,
    maxLength: 255,
    description: 'The configured source: a folder root or a host.',
  }),
});
export type SourceRef = Infer<typeof SourceRef>;

export const DISK_CONTROLLERS = ['scsi', 'sata', 'ide', 'nvme'] as const;
export const VMDK_SUBFORMATS = [
  'monolithicSparse',
  'twoGbMaxExtentSparse',
  'monolithicFlat',
  'twoGbMaxExtentFlat',
  'streamOptimized',
  'vmfs',
  'vmfsSparse',
  'seSparse',
  'other',
] as const;

export const VmDisk = Closed({
  index: Count(255),
  controller: OneOf(DISK_CONTROLLERS),
  slot: Type.String({ maxLength: 32, description: 'Controller bus and unit, e.g. `scsi0:1`.' }),
  path: Text(4096, 'File path (Workstation) or datastore path (vSphere) of the disk.'),
  capacityBytes: Bytes,
  subformat: Type.Optional(OneOf(VMDK_SUBFORMATS)),
  chainLength: Type.Optional(Count(255)),
});
export type VmDisk = Infer<typeof VmDisk>;

/** An address a guest has on a NIC, with its prefix length: what a migration can keep. */
export const NicAddress = Closed({
  ip: Type.String({
    minLength: 2,
    maxLength: 45,
    pattern: '^([0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*)$',
    description: 'IPv4 dotted quad or IPv6 text form.',
  }),
  prefix: Type.Integer({ minimum: 0, maximum: 128 }),
});
export type NicAddress = Infer<typeof NicAddress>;

export const ADDRESS_SOURCES = ['guest-tools', 'guest-config'] as const;

export const VmNic = Closed({
  index: Count(255),
  mac: Type.Union([Type.String({ pattern: '^[0-9a-f]{2}(:[0-9a-f]{2}){5}$' }), Type.Null()]),
  macKind: OneOf(['static', 'generated', 'none']),
  network: Text(255, 'Source network or connection type.'),
  addresses: Type.Optional(
    Type.Array(NicAddress, {
      maxItems: 16,
      description: 'Static addresses the guest has on this NIC, as far as they could be read.',
    }),
  ),
  addressSource: Type.Optional(
    OneOf(
      ADDRESS_SOURCES,
      "Where the addresses were read: VMware Tools' report (vSphere guest.net) or the guest's own network configuration.",
    ),
  ),
});
export type VmNic = Infer<typeof VmNic>;

export const POWER_STATES = ['poweredOff', 'poweredOn', 'suspended'] as const;
export const FIRMWARES = ['bios', 'efi'] as const;

/** What Ferry knows of a VM at its source: enough to validate, convert and size it. */
export const VmDescription = Closed({
  key: VmKey,
  name: Name,
  source: SourceRef,
  uuid: Type.Optional(Type.String({ maxLength: 64 })),
  cpus: Type.Integer({ minimum: 1, maximum: 4096 }),
  memoryMiB: Type.Integer({ minimum: 1, maximum: 64 * 1024 * 1024 }),
  firmware: OneOf(FIRMWARES),
  secureBoot: Type.Boolean(),
  guestOs: Text(128),
  powerState: OneOf(POWER_STATES),
  hasSnapshots: Type.Boolean(),
  disks: Type.Array(VmDisk, { maxItems: 64 }),
  nics: Type.Array(VmNic, { maxItems: 32 }),
  labels: Type.Optional(StringMap(64)),
  problems: Type.Optional(
    Type.Array(Text(1024), {
      maxItems: 32,
      description:
        'What stands in the way of migrating it as found: a missing or truncated disk, a broken snapshot chain.',
    }),
  ),
});
export type VmDescription = Infer<typeof VmDescription>;
