import type {
  Artifact,
  EventData,
  GuestBoot,
  JobStage,
  MigrationFlags,
  MigrationOptions,
  MigrationStage,
  Resource,
  ResourceKind,
  RollbackOutcome,
  SourceRef,
  ValidationCheck,
  VmDescription,
} from '@ferry/contracts';
import type { DomainCommand } from '../decider.ts';

export type CreateMigration = DomainCommand<
  'CreateMigration',
  {
    jobId: string;
    vmKey: string;
    vmName: string;
    source: SourceRef;
    options: MigrationOptions;
    flags: MigrationFlags;
  }
>;
export type RecordValidation = DomainCommand<
  'RecordValidation',
  { vm: VmDescription; checks: readonly ValidationCheck[] }
>;
export type StartConversion = DomainCommand<
  'StartConversion',
  Omit<EventData<'ConversionStarted'>, 'jobId' | 'dryRun'>
>;
export type RecordConversionProgress = DomainCommand<
  'RecordConversionProgress',
  { diskIndex: number; percent: number; bytesDone?: number }
>;
export type CompleteConversion = DomainCommand<
  'CompleteConversion',
  {
    artifacts: readonly Artifact[];
    reused: boolean;
    durationMs: number;
    /** The conversion host (FERRY_HOST) whose folder holds the artifacts. */
    host?: string;
  }
>;
export type StartImageUpload = DomainCommand<
  'StartImageUpload',
  { imageId: string | null; imageName: string }
>;
export type CompleteImageUpload = DomainCommand<
  'CompleteImageUpload',
  Omit<EventData<'ImageUploadCompleted'>, 'jobId' | 'dryRun'>
>;
export type RecordResource = DomainCommand<'RecordResource', { resource: Resource }>;
export type RecordServerDeployed = DomainCommand<
  'RecordServerDeployed',
  Omit<EventData<'ServerDeployed'>, 'jobId' | 'dryRun'>
>;
export type RecordVerification = DomainCommand<
  'RecordVerification',
  { serverStatus: string | null; durationMs: number; guest?: GuestBoot }
>;
export type FailMigration = DomainCommand<
  'FailMigration',
  { stage: MigrationStage; code: string; message: string; retryable: boolean }
>;
export type CancelMigration = DomainCommand<
  'CancelMigration',
  { reason: string; requestedBy: string }
>;
export type StartRollback = DomainCommand<
  'StartRollback',
  {
    keep: readonly ResourceKind[];
    /** Resources of the job its events do not record (created just before a crash), found by their marks. */
    found?: readonly Resource[];
  }
>;
export type RecordRollbackStep = DomainCommand<
  'RecordRollbackStep',
  { resource: Resource; outcome: RollbackOutcome; detail: string }
>;
export type CompleteRollback = DomainCommand<'CompleteRollback', Record<string, never>>;
/** Options given replace the job's for the new attempt (edit and retry). */
export type RetryMigration = DomainCommand<
  'RetryMigration',
  { reason: string; options?: Partial<MigrationOptions> }
>;
/** The sender (its `holder`, in the metadata) takes the stage for `leaseMs`, from the message it works from. */
export type ClaimStage = DomainCommand<
  'ClaimStage',
  { stage: JobStage; leaseMs: number; message: string }
>;
export type RenewLease = DomainCommand<'RenewLease', { stage: JobStage; leaseMs: number }>;
export type ReleaseStage = DomainCommand<'ReleaseStage', { stage: JobStage; reason: string }>;
export type RequestRollback = DomainCommand<
  'RequestRollback',
  { reason: string; requestedBy: string }
>;

export type MigrationCommand =
  | CreateMigration
  | RecordValidation
  | StartConversion
  | RecordConversionProgress
  | CompleteConversion
  | StartImageUpload
  | CompleteImageUpload
  | RecordResource
  | RecordServerDeployed
  | RecordVerification
  | FailMigration
  | CancelMigration
  | StartRollback
  | RecordRollbackStep
  | CompleteRollback
  | RetryMigration
  | ClaimStage
  | RenewLease
  | ReleaseStage
  | RequestRollback;

export type MigrationCommandType = MigrationCommand['type'];

/** Every command type, for the exhaustive state × command specs. */
export const MIGRATION_COMMAND_TYPES = [
  'CreateMigration',
  'RecordValidation',
  'StartConversion',
  'RecordConversionProgress',
  'CompleteConversion',
  'StartImageUpload',
  'CompleteImageUpload',
  'RecordResource',
  'RecordServerDeployed',
  'RecordVerification',
  'FailMigration',
  'CancelMigration',
  'StartRollback',
  'RecordRollbackStep',
  'CompleteRollback',
  'RetryMigration',
  'ClaimStage',
  'RenewLease',
  'ReleaseStage',
  'RequestRollback',
] as const satisfies readonly MigrationCommandType[];
