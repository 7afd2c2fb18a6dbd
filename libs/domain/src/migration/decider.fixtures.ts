// Shared by the migration decider's specs: one job, its history up to each phase, and a command of each type.
import type { EventOf, JobStage, MigrationEvent, VmDescription } from '@ferry/contracts';
import type { CommandContext } from '../decider.ts';
import type { MigrationCommand, MigrationCommandType } from './commands.ts';
import { PHASES_OF_STAGE, STAGE_OF_PHASE, type MigrationPhase } from './state.ts';

export const jobId = 'job-1';
export const at = (n: number): CommandContext => ({
  commandId: `c-${n}`,
  correlationId: 'corr-1',
  now: `2026-11-25T10:${String(n).padStart(2, '0')}:00Z`,
});

export const vm: VmDescription = {
  key: 'ws-alpha',
  name: 'alpha',
  source: { kind: 'workstation', id: '/vms' },
  cpus: 2,
  memoryMiB: 2048,
  firmware: 'bios',
  secureBoot: false,
  guestOs: 'debian12-64',
  powerState: 'poweredOff',
  hasSnapshots: false,
  disks: [
    {
      index: 0,
      controller: 'scsi',
      slot: 'scsi0:0',
      path: '/vms/alpha/alpha.vmdk',
      capacityBytes: 2147483648,
    },
  ],
  nics: [{ index: 0, mac: '00:0c:29:aa:bb:cc', macKind: 'static', network: 'nat' }],
};
export const flagsOn = { realConversion: true, openstackDeployment: true, rollback: true };
export const artifact = {
  diskIndex: 0,
  path: '/out/job-1/disk-0.qcow2',
  format: 'qcow2',
  virtualSize: 2147483648,
  allocatedSize: 1048576,
  sizeBytes: 1114112,
  modifiedAtMs: 1764000000000,
} as const;
/** What the upload learnt of the artifact's image. */
export const diskImage = {
  diskIndex: 0,
  imageId: 'img-1',
  sha256: 'a'.repeat(64),
  imageHash: `sha512:${'b'.repeat(128)}`,
};

/** An event as the decider writes it for a command with the context `at(n)`. */
export const event = <T extends MigrationEvent['type']>(
  type: T,
  data: EventOf<T>['data'],
  context: CommandContext,
): EventOf<T> =>
  ({
    type,
    data,
    metadata: {
      commandId: context.commandId,
      correlationId: context.correlationId,
      causationId: context.commandId,
      occurredAt: context.now,
    },
  }) as EventOf<T>;

export const created = (flags = flagsOn) =>
  event(
    'MigrationCreated',
    {
      jobId,
      vmKey: vm.key,
      vmName: vm.name,
      source: vm.source,
      options: {
        strategy: 'qemu-img',
        bootMode: 'image',
        flavor: null,
        networkMapping: {},
        keepMac: true,
      },
      flags,
    },
    at(1),
  );
const checks = [{ name: 'disks-present', outcome: 'passed', detail: '1 disk' }] as const;
const validated = event('MigrationValidated', { jobId, vm, checks, outcome: 'passed' }, at(2));
const conversionDisks = [
  { diskIndex: 0, path: vm.disks[0]?.path ?? '', capacityBytes: 2147483648 },
];
const conversionStarted = event(
  'ConversionStarted',
  {
    jobId,
    strategy: 'qemu-img',
    dryRun: false,
    commands: [['qemu-img', 'convert']],
    disks: conversionDisks,
  },
  at(3),
);
const progressed = event('ConversionProgressed', { jobId, diskIndex: 0, percent: 10 }, at(4));
const converted = event(
  'ConversionCompleted',
  { jobId, dryRun: false, reused: false, artifacts: [artifact], durationMs: 1000 },
  at(5),
);
const uploadStarted = event(
  'ImageUploadStarted',
  { jobId, dryRun: false, imageId: 'img-1', imageName: 'ferry-alpha' },
  at(6),
);
const uploaded = event(
  'ImageUploadCompleted',
  {
    jobId,
    dryRun: false,
    reused: false,
    imageId: 'img-1',
    checksum: 'b'.repeat(128),
    sizeBytes: 1048576,
    durationMs: 500,
    disks: [diskImage],
  },
  at(7),
);
const deployed = event(
  'ServerDeployed',
  {
    jobId,
    dryRun: false,
    reused: false,
    serverId: 'srv-1',
    flavor: 'm1.small',
    bootMode: 'image',
    networks: ['net-1'],
    ports: ['port-1'],
    volumes: [],
  },
  at(8),
);
const verified = event(
  'MigrationVerified',
  { jobId, outcome: 'verified', serverStatus: 'ACTIVE', durationMs: 3000 },
  at(9),
);
const failedUploading = event(
  'MigrationFailed',
  { jobId, stage: 'upload', code: 'glance-error', message: 'upload refused', retryable: true },
  at(10),
);
const rollbackStarted = event(
  'RollbackStarted',
  {
    jobId,
    keep: [],
    resources: [
      { kind: 'artifact', id: artifact.path },
      { kind: 'image', id: 'img-1' },
    ],
  },
  at(11),
);
const artifactDeleted = event(
  'RollbackStepCompleted',
  {
    jobId,
    resource: { kind: 'artifact', id: artifact.path },
    outcome: 'deleted',
    detail: 'removed',
  },
  at(12),
);
const imageDeleted = event(
  'RollbackStepCompleted',
  { jobId, resource: { kind: 'image', id: 'img-1' }, outcome: 'deleted', detail: 'deleted' },
  at(13),
);
const rolledBack = event(
  'RollbackCompleted',
  { jobId, outcome: 'complete', deleted: 2, alreadyAbsent: 0, kept: 0, failed: 0 },
  at(14),
);

// The happy path in order; each phase's history is a prefix of it.
const happyPath = [
  created(),
  validated,
  conversionStarted,
  progressed,
  converted,
  uploadStarted,
  uploaded,
  deployed,
  verified,
];
const firstEvents = (n: number) => happyPath.slice(0, n);
const upTo = {
  PENDING: firstEvents(1),
  DISCOVERED: firstEvents(2),
  CONVERTING: firstEvents(4),
  CONVERTED: firstEvents(5),
  UPLOADING: firstEvents(6),
  UPLOADED: firstEvents(7),
  DEPLOYED: firstEvents(8),
} satisfies Partial<Record<MigrationPhase, MigrationEvent[]>>;

/** A history that leaves the job in each phase. */
export const historyFor: Record<MigrationPhase, readonly MigrationEvent[]> = {
  Empty: [],
  ...upTo,
  VERIFIED: firstEvents(9),
  FAILED: [...upTo.UPLOADING, failedUploading],
  ROLLING_BACK: [...upTo.UPLOADING, failedUploading, rollbackStarted, artifactDeleted],
  ROLLED_BACK: [
    ...upTo.UPLOADING,
    failedUploading,
    rollbackStarted,
    artifactDeleted,
    imageDeleted,
    rolledBack,
  ],
};

/** The command of each type used against every phase; a failure names the stage the phase is in. */
/** The holder the lease commands of the table are sent by. */
export const holder = 'conversion-host-1-abc';
const held = (command: MigrationCommand): MigrationCommand => ({
  ...command,
  metadata: { ...command.metadata, holder },
});
/** The stage that has work in a phase (validation where none has). */
export const stageOf = (phase: MigrationPhase): JobStage =>
  (Object.entries(PHASES_OF_STAGE).find(([, phases]) => phases.includes(phase))?.[0] ??
    'validation') as JobStage;

export function commandFor(type: MigrationCommandType, phase: MigrationPhase): MigrationCommand {
  const metadata = at(50);
  const c = <T extends MigrationCommand>(command: Omit<T, 'metadata'>) =>
    ({ ...command, metadata }) as MigrationCommand;
  switch (type) {
    case 'CreateMigration':
      return c({ type, data: created().data });
    case 'RecordValidation':
      return c({ type, data: { vm, checks } });
    case 'StartConversion':
      return c({
        type,
        data: { strategy: 'qemu-img', commands: [['qemu-img', 'convert']], disks: conversionDisks },
      });
    case 'RecordConversionProgress':
      return c({ type, data: { diskIndex: 0, percent: 50 } });
    case 'CompleteConversion':
      return c({ type, data: { artifacts: [artifact], reused: false, durationMs: 1000 } });
    case 'StartImageUpload':
      return c({ type, data: { imageId: 'img-1', imageName: 'ferry-alpha' } });
    case 'CompleteImageUpload':
      return c({
        type,
        data: {
          imageId: 'img-1',
          checksum: 'b'.repeat(128),
          sizeBytes: 1048576,
          reused: false,
          durationMs: 500,
          disks: [diskImage],
        },
      });
    case 'RecordResource':
      return c({ type, data: { resource: { kind: 'port', id: 'port-9' } } });
    case 'RecordServerDeployed':
      return c({
        type,
        data: {
          serverId: 'srv-1',
          flavor: 'm1.small',
          bootMode: 'image',
          networks: ['net-1'],
          ports: ['port-1'],
          volumes: [],
          reused: false,
        },
      });
    case 'RecordVerification':
      return c({ type, data: { serverStatus: 'ACTIVE', durationMs: 3000 } });
    case 'FailMigration':
      return c({
        type,
        data: {
          stage: STAGE_OF_PHASE[phase] ?? 'validation',
          code: 'boom',
          message: 'it broke',
          retryable: true,
        },
      });
    case 'CancelMigration':
      return c({ type, data: { reason: 'wrong VM', requestedBy: 'operator' } });
    case 'StartRollback':
      return c({ type, data: { keep: [] } });
    case 'RecordRollbackStep':
      return c({
        type,
        data: { resource: { kind: 'image', id: 'img-1' }, outcome: 'deleted', detail: 'deleted' },
      });
    case 'CompleteRollback':
      return c({ type, data: {} });
    case 'RetryMigration':
      return c({ type, data: { reason: 'fixed the disk' } });
    case 'ClaimStage':
      return held(c({ type, data: { stage: stageOf(phase), leaseMs: 60_000, message: 'msg-1' } }));
    case 'RenewLease':
      return held(c({ type, data: { stage: stageOf(phase), leaseMs: 60_000 } }));
    case 'ReleaseStage':
      return held(c({ type, data: { stage: stageOf(phase), reason: 'stopping' } }));
    case 'RequestRollback':
      return c({ type, data: { reason: 'the cloud is back', requestedBy: 'operator' } });
  }
}
