import {
  Bytes,
  Closed,
  Count,
  Name,
  OneOf,
  Sha256,
  StringMap,
  Text,
  Type,
  type Infer,
} from './schema.ts';

/** The states operators see: the seed's names. */
export const MIGRATION_STATES = [
  'PENDING',
  'DISCOVERED',
  'CONVERTING',
  'UPLOADING',
  'DEPLOYED',
  'VERIFIED',
  'FAILED',
  'ROLLED_BACK',
] as const;
export type MigrationState = (typeof MIGRATION_STATES)[number];

export const MIGRATION_STAGES = [
  'validation',
  'conversion',
  'upload',
  'deployment',
  'verification',
] as const;
export type MigrationStage = (typeof MIGRATION_STAGES)[number];

/** The stages a job's time is spent in: the migration's own, then rollback. */
export const JOB_STAGES = [...MIGRATION_STAGES, 'rollback'] as const;
export type JobStage = (typeof JOB_STAGES)[number];

export const CONVERSION_STRATEGIES = ['virt-v2v', 'qemu-img', 'auto'] as const;
export const BOOT_MODES = ['image', 'volume', 'auto'] as const;

/** How one job is to be carried out, chosen when it is created. */
export const MigrationOptions = Closed({
  strategy: OneOf(CONVERSION_STRATEGIES),
  bootMode: OneOf(BOOT_MODES),
  flavor: Type.Union([Name, Type.Null()], {
    description: 'A Nova flavor name or id; null picks the smallest that fits.',
  }),
  networkMapping: StringMap(32),
  keepMac: Type.Boolean({ description: "Create ports with the source NICs' MAC addresses." }),
  keepIps: Type.Optional(
    Type.Boolean({
      description:
        "Give each port the guest's static addresses (fixed IPs in the mapped network's subnet that holds them); a NIC whose address fits no subnet gets one by DHCP.",
    }),
  ),
  availabilityZone: Type.Optional(
    Type.Union([Name, Type.Null()], {
      description: "The Nova availability zone to boot in; null or absent: the cloud's default.",
    }),
  ),
  securityGroups: Type.Optional(
    Type.Array(Name, {
      maxItems: 16,
      uniqueItems: true,
      description:
        "Neutron security groups (names or ids) for every port of the server; absent or empty: the project's default group.",
    }),
  ),
  keyName: Type.Optional(
    Type.Union([Name, Type.Null()], {
      description: 'A Nova key pair the server is created with; null or absent: none.',
    }),
  ),
  volumeType: Type.Optional(
    Type.Union([Name, Type.Null()], {
      description:
        "The Cinder volume type (name or id) of the volumes a volume-booted server gets; null or absent: the cloud's default.",
    }),
  ),
  serverName: Type.Optional(
    Type.Union([Text(255), Type.Null()], {
      description:
        "The server's name, a template: {vm} is the VM's name, {job} the job's id, {source} the source's id; null or absent: the VM's name.",
    }),
  ),
});
export type MigrationOptions = Infer<typeof MigrationOptions>;

/** The feature flags in force when the job was created; a stage whose flag is off is a dry run. */
export const MigrationFlags = Closed({
  realConversion: Type.Boolean(),
  openstackDeployment: Type.Boolean(),
  rollback: Type.Boolean(),
});
export type MigrationFlags = Infer<typeof MigrationFlags>;

export const RESOURCE_KINDS = ['artifact', 'image', 'volume', 'port', 'server'] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** Something a job created and rollback may have to remove. */
export const Resource = Closed({
  kind: OneOf(RESOURCE_KINDS),
  id: Type.String({
    minLength: 1,
    maxLength: 4096,
    description: 'OpenStack id, or the file path of an artifact.',
  }),
  name: Type.Optional(Text(255)),
});
export type Resource = Infer<typeof Resource>;

/** What the server's console log showed of its guest booting, read during verification. */
export const GuestBoot = Closed({
  booted: Type.Boolean({ description: 'The console log reached a login prompt.' }),
  evidence: Text(
    2048,
    "The console log's last lines (a login prompt when booted), or why there is no evidence.",
  ),
  addresses: Type.Array(Type.String({ maxLength: 45 }), {
    maxItems: 32,
    description: 'IP addresses the guest showed on its console.',
  }),
  addressesKept: Type.Union([Type.Boolean(), Type.Null()], {
    description:
      'Whether every kept address was among those the guest showed; null when none was kept or none shown.',
  }),
  waitedMs: Count(Number.MAX_SAFE_INTEGER),
});
export type GuestBoot = Infer<typeof GuestBoot>;

export const CHECK_OUTCOMES = ['passed', 'failed', 'warning', 'skipped'] as const;
export const RULE_SEVERITIES = ['critical', 'warning', 'info'] as const;
export type RuleSeverity = (typeof RULE_SEVERITIES)[number];
export const ValidationCheck = Closed({
  name: Type.String({ pattern: '^[a-z][a-z0-9-]{0,63}$' }),
  outcome: OneOf(CHECK_OUTCOMES),
  detail: Text(2048),
  severity: Type.Optional(
    OneOf(
      RULE_SEVERITIES,
      "A pre-flight rule's weight when it applies: critical fails the job, warning is recorded, info tells.",
    ),
  ),
  facts: Type.Optional(Text(1024, 'What the rule read of the VM.')),
});
export type ValidationCheck = Infer<typeof ValidationCheck>;

export const ARTIFACT_FORMATS = ['qcow2', 'raw'] as const;
export const Artifact = Closed({
  diskIndex: Count(255),
  path: Text(4096),
  format: OneOf(ARTIFACT_FORMATS),
  virtualSize: Bytes,
  allocatedSize: Bytes,
  sizeBytes: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description:
        "The file's length when it was written: with modifiedAtMs, how a retry knows it is untouched.",
    }),
  ),
  modifiedAtMs: Type.Optional(
    Type.Number({
      minimum: 0,
      description: "The file's mtime when it was written (ms since 1970).",
    }),
  ),
  sha256: Type.Optional(
    Type.String({
      ...Sha256,
      description:
        'SHA-256 of the bytes the upload sent to Glance, hashed on the way (jobs converted before 0.2: hashed by the conversion).',
    }),
  ),
  imageId: Type.Optional(Type.String({ maxLength: 64, description: "The disk's Glance image." })),
  imageHash: Type.Optional(
    Text(256, "Glance's own hash of what it received: `<os_hash_algo>:<os_hash_value>`."),
  ),
});
export type Artifact = Infer<typeof Artifact>;

/** What the upload learnt of one disk's image: recorded on its artifact. */
export const DiskImage = Closed({
  diskIndex: Count(255),
  imageId: Type.String({ maxLength: 64 }),
  sha256: Sha256,
  imageHash: Text(256, "Glance's own hash of what it received: `<os_hash_algo>:<os_hash_value>`."),
});
export type DiskImage = Infer<typeof DiskImage>;

/** A failure reason in kebab-case, e.g. `no-operating-system`, `quota-exceeded`, `cancelled`. */
export const FailureCode = Type.String({ pattern: '^[a-z][a-z0-9-]{0,63}$' });

export const ROLLBACK_OUTCOMES = ['deleted', 'already-absent', 'kept', 'failed'] as const;
export type RollbackOutcome = (typeof ROLLBACK_OUTCOMES)[number];

export const Argv = Type.Array(Text(8192), {
  maxItems: 512,
  description: 'A command line as run (or as it would run), secrets removed.',
});
