import { defineEvent } from '../message.ts';
import {
  Argv,
  Artifact,
  DiskImage,
  FailureCode,
  GuestBoot,
  JOB_STAGES,
  MIGRATION_STAGES,
  MigrationFlags,
  MigrationOptions,
  Resource,
  RESOURCE_KINDS,
  ROLLBACK_OUTCOMES,
  ValidationCheck,
} from '../migration-model.ts';
import {
  Bytes,
  Closed,
  Count,
  HostName,
  JobId,
  Name,
  OneOf,
  Percent,
  Text,
  Timestamp,
  Type,
  VmKey,
} from '../schema.ts';
import { SourceRef, VmDescription } from '../vm.ts';

const Job = { jobId: JobId };
const DurationMs = Count(Number.MAX_SAFE_INTEGER);

const Holder = Text(255, 'Who runs the stage: service, host, process and a random part.');

export const MigrationCreated = defineEvent(
  'MigrationCreated',
  'A job was created for one VM of a selection; the job starts PENDING.',
  Closed({
    ...Job,
    vmKey: VmKey,
    vmName: Name,
    source: SourceRef,
    options: MigrationOptions,
    flags: MigrationFlags,
  }),
);

export const MigrationValidated = defineEvent(
  'MigrationValidated',
  'The VM was re-read from its source and checked; each check is recorded. Passed: the job is DISCOVERED.',
  Closed({
    ...Job,
    vm: VmDescription,
    checks: Type.Array(ValidationCheck, { minItems: 1, maxItems: 64 }),
    outcome: OneOf(['passed', 'failed']),
  }),
);

export const ConversionStarted = defineEvent(
  'ConversionStarted',
  'Conversion of every disk began (or, as a dry run, the command that would run was recorded).',
  Closed({
    ...Job,
    strategy: OneOf(['virt-v2v', 'qemu-img']),
    dryRun: Type.Boolean(),
    commands: Type.Array(Argv, {
      maxItems: 64,
      description: 'One command line per disk, in disk order.',
    }),
    disks: Type.Array(Closed({ diskIndex: Count(255), path: Text(4096), capacityBytes: Bytes }), {
      maxItems: 64,
    }),
  }),
);

export const ConversionProgressed = defineEvent(
  'ConversionProgressed',
  "A disk's conversion moved forward; progress never moves backwards.",
  Closed({ ...Job, diskIndex: Count(255), percent: Percent, bytesDone: Type.Optional(Bytes) }),
);

export const ConversionCompleted = defineEvent(
  'ConversionCompleted',
  'Every disk was converted, or a complete earlier artifact was reused; a dry run has no artifacts.',
  Closed({
    ...Job,
    dryRun: Type.Boolean(),
    reused: Type.Boolean(),
    artifacts: Type.Array(Artifact, { maxItems: 64 }),
    durationMs: DurationMs,
    // Absent from conversions recorded before uploads were routed to their host.
    host: Type.Optional(HostName),
  }),
);

export const ImageUploadStarted = defineEvent(
  'ImageUploadStarted',
  'The Glance image was created (its id recorded so rollback can find it) and the upload began; the job is UPLOADING.',
  Closed({
    ...Job,
    dryRun: Type.Boolean(),
    imageId: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
    imageName: Name,
  }),
);

export const ImageUploadCompleted = defineEvent(
  'ImageUploadCompleted',
  "Every disk's image is active in Glance holding the bytes that were sent (its hash checked against the one computed on the way).",
  Closed({
    ...Job,
    dryRun: Type.Boolean(),
    reused: Type.Boolean(),
    imageId: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
    checksum: Type.Union([Type.String({ maxLength: 256 }), Type.Null()]),
    sizeBytes: Bytes,
    durationMs: DurationMs,
    disks: Type.Optional(
      Type.Array(DiskImage, {
        maxItems: 64,
        description: "Each disk's image, the sha256 of what was sent and Glance's hash of it.",
      }),
    ),
  }),
);

export const ResourceRecorded = defineEvent(
  'ResourceRecorded',
  'A resource was created part-way through a stage (a port, a volume): recorded at once so rollback can remove it.',
  Closed({ ...Job, resource: Resource }),
);

export const ServerDeployed = defineEvent(
  'ServerDeployed',
  'The Nova server was created (or found again on a retry); the job is DEPLOYED.',
  Closed({
    ...Job,
    dryRun: Type.Boolean(),
    reused: Type.Boolean(),
    serverId: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
    flavor: Name,
    bootMode: OneOf(['image', 'volume']),
    networks: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 32 }),
    ports: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 32 }),
    volumes: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 64 }),
  }),
);

export const MigrationVerified = defineEvent(
  'MigrationVerified',
  'The server reached ACTIVE, or the job ends as a dry run that says so; the job is VERIFIED.',
  Closed({
    ...Job,
    outcome: OneOf(['verified', 'dry-run']),
    serverStatus: Type.Union([Type.String({ maxLength: 32 }), Type.Null()]),
    durationMs: DurationMs,
    guest: Type.Optional(GuestBoot),
  }),
);

export const MigrationFailed = defineEvent(
  'MigrationFailed',
  'A stage failed (or an operator cancelled); the job is FAILED.',
  Closed({
    ...Job,
    stage: OneOf(MIGRATION_STAGES),
    code: FailureCode,
    message: Text(4096),
    retryable: Type.Boolean(),
    holder: Type.Optional(
      Text(255, "The stage's holder, when it reports its own failure: its lease ends with it."),
    ),
  }),
);

export const CancelRequested = defineEvent(
  'CancelRequested',
  'An operator asked to cancel the job; a MigrationFailed with code `cancelled` follows in the same commit.',
  Closed({ ...Job, reason: Text(1024), requestedBy: Text(255) }),
);

export const RollbackStarted = defineEvent(
  'RollbackStarted',
  'Rollback of what the job created began, keeping what the policy says to keep.',
  Closed({
    ...Job,
    keep: Type.Array(OneOf(RESOURCE_KINDS), { maxItems: RESOURCE_KINDS.length, uniqueItems: true }),
    resources: Type.Array(Resource, { maxItems: 256 }),
  }),
);

export const RollbackStepCompleted = defineEvent(
  'RollbackStepCompleted',
  'One resource was dealt with: deleted, found already absent, kept by policy, or failed after retries.',
  Closed({ ...Job, resource: Resource, outcome: OneOf(ROLLBACK_OUTCOMES), detail: Text(2048) }),
);

export const RollbackCompleted = defineEvent(
  'RollbackCompleted',
  'Every resource was dealt with; the job is ROLLED_BACK. Incomplete when a step failed.',
  Closed({
    ...Job,
    outcome: OneOf(['complete', 'incomplete']),
    deleted: Count(256),
    alreadyAbsent: Count(256),
    kept: Count(256),
    failed: Count(256),
  }),
);

export const MigrationRetried = defineEvent(
  'MigrationRetried',
  'A new attempt of a rolled-back job began; its history is kept and it starts PENDING again.',
  Closed({
    ...Job,
    attempt: Type.Integer({ minimum: 2, maximum: 1000 }),
    reason: Text(1024),
    options: Type.Optional(MigrationOptions),
  }),
);

export const StageClaimed = defineEvent(
  'StageClaimed',
  "A stage's work began in one place (its holder): no other may run it until the lease lapses, and what the holder records needs it to hold the lease.",
  Closed({
    ...Job,
    stage: OneOf(JOB_STAGES),
    holder: Holder,
    leaseUntil: Timestamp,
    message: Text(255, 'The command message the holder works from.'),
    takenOverFrom: Type.Union([Holder, Type.Null()], {
      description: 'The holder whose lease had lapsed, if any.',
    }),
  }),
);

export const StageLeaseRenewed = defineEvent(
  'StageLeaseRenewed',
  "The stage's holder is still making progress: its lease runs until the new time.",
  Closed({ ...Job, stage: OneOf(JOB_STAGES), holder: Holder, leaseUntil: Timestamp }),
);

export const StageReleased = defineEvent(
  'StageReleased',
  "The stage's holder stopped and gave up its lease: after a failure, a cancel, or because its service is stopping (another takes the stage up).",
  Closed({ ...Job, stage: OneOf(JOB_STAGES), holder: Holder, reason: Text(1024) }),
);

export const RollbackRequested = defineEvent(
  'RollbackRequested',
  "An operator asked for the job's rollback to run again: it looks again for everything the job created and removes what is left.",
  Closed({ ...Job, reason: Text(1024), requestedBy: Text(255) }),
);

export const migrationEvents = [
  MigrationCreated,
  MigrationValidated,
  ConversionStarted,
  ConversionProgressed,
  ConversionCompleted,
  ImageUploadStarted,
  ImageUploadCompleted,
  ResourceRecorded,
  ServerDeployed,
  MigrationVerified,
  MigrationFailed,
  CancelRequested,
  RollbackStarted,
  RollbackStepCompleted,
  RollbackCompleted,
  MigrationRetried,
  StageClaimed,
  StageLeaseRenewed,
  StageReleased,
  RollbackRequested,
] as const;
