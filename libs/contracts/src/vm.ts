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

/** Devices and settings (slots or names) that pre-flight rules judge; absent: the source said nothing. */
const Devices = (description: string) =>
  Type.Optional(Type.Array(Text(255), { maxItems: 64, description }));

/**
 * What the source declares beyond disks and NICs, for the pre-flight rules: every device is either
 * carried or named by a rule. Each field optional: stored descriptions predate them.
 */
export const VmFacts = Closed({
  passthrough: Devices(
    'PCI or SCSI passthrough devices (`pciPassthru0`, `scsi0:2 scsi-passthru`).',
  ),
  sriov: Devices('NICs backed by SR-IOV virtual functions.'),
  rawDiskMappings: Devices('Disks that are raw device mappings (RDM) or physical disks.'),
  sharedDisks: Devices('Disks shared with other VMs (multi-writer, a shared SCSI bus).'),
  independentDisks: Devices('Disks in an independent mode (left out of snapshots).'),
  usbControllers: Type.Optional(Count(16)),
  vtpm: Type.Optional(Type.Boolean({ description: 'A virtual TPM is present.' })),
  cpuHotAdd: Type.Optional(Type.Boolean()),
  memoryHotAdd: Type.Optional(Type.Boolean()),
  memoryAssumed: Type.Optional(
    Type.Boolean({ description: 'The source did not say the memory size: memoryMiB is assumed.' }),
  ),
  hostname: Type.Optional(Text(255, "The guest's host name as VMware Tools report it.")),
  missingDatastores: Devices('Datastores a disk names that the host does not have.'),
});
export type VmFacts = Infer<typeof VmFacts>;

export const POWER_STATES = ['poweredOff', 'poweredOn', 'suspended'] as const;
export const FIRMWARES = ['bios', 'efi'] as const;

/** vSphere's limit of disks per VM (4 SCSI controllers × 64, NVMe, SATA): none is left out. */
export const MAX_VM_DISKS = 256;
/** VMs in one selection (one CreateMigrations command, one outcome event): a fleet at once. */
export const MAX_SELECTION = 10_000;
export const MAX_VM_PROBLEMS = 256;

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
  disks: Type.Array(VmDisk, { maxItems: MAX_VM_DISKS }),
  nics: Type.Array(VmNic, { maxItems: 32 }),
  labels: Type.Optional(StringMap(64)),
  annotation: Type.Optional(
    Text(8192, "The source's notes on the VM (vSphere's annotation, a .vmx file's `annotation`)."),
  ),
  attributes: Type.Optional(
    StringMap(
      64,
      "The source's custom attributes (vSphere's custom fields) by name: carried as the server's metadata.",
    ),
  ),
  facts: Type.Optional(VmFacts),
  problems: Type.Optional(
    Type.Array(Text(1024), {
      maxItems: MAX_VM_PROBLEMS,
      description:
        'What stands in the way of migrating it as found: a missing or truncated disk, a broken snapshot chain.',
    }),
  ),
});
export type VmDescription = Infer<typeof VmDescription>;
