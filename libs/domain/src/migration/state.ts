import type {
  Artifact,
  JobStage,
  MigrationFailed,
  MigrationFlags,
  MigrationOptions,
  MigrationStage,
  MigrationState,
  Infer,
  Resource,
  ResourceKind,
  RollbackOutcome,
  SourceRef,
  VmDescription,
} from '@ferry/contracts';

/**
 * Where a job is, finer than the operator-visible state: a stage that has finished but whose
 * successor has not started (`CONVERTED`, `UPLOADED`), and a rollback under way (`ROLLING_BACK`).
 */
export const MIGRATION_PHASES = [
  'Empty',
  'PENDING',
  'DISCOVERED',
  'CONVERTING',
  'CONVERTED',
  'UPLOADING',
  'UPLOADED',
  'DEPLOYED',
  'VERIFIED',
  'FAILED',
  'ROLLING_BACK',
  'ROLLED_BACK',
] as const;
export type MigrationPhase = (typeof MIGRATION_PHASES)[number];

export interface Rollback {
  readonly keep: readonly ResourceKind[];
  readonly resources: readonly Resource[];
  /** Outcome per resource, by `resourceKey`. */
  readonly steps: Readonly<Record<string, RollbackOutcome>>;
}

/** Who runs a stage now, and until when unless renewed: one place at a time. */
export interface Lease {
  readonly stage: JobStage;
  readonly holder: string;
  /** RFC 3339. */
  readonly until: string;
  /** The command message the holder works from. */
  readonly message: string;
}

/**
 * After a lease's end, how long its holder has to stop its work (it stops itself at the end, if it
 * could not renew): a lease is taken over only once this has passed too.
 */
export const LEASE_GRACE_MS = 15_000;

/** Whether the lease still holds at `now`: not yet past its end and the grace that follows. */
export const leaseIsLive = (lease: Lease, now: string): boolean =>
  Date.parse(now) < Date.parse(lease.until) + LEASE_GRACE_MS;

export interface Job {
  readonly jobId: string;
  readonly vmKey: string;
  readonly vmName: string;
  readonly source: SourceRef;
  readonly options: MigrationOptions;
  readonly flags: MigrationFlags;
  readonly attempt: number;
  readonly vm: VmDescription | null;
  readonly conversionDisks: readonly number[];
  /** What converted the disks, once it began (`auto` resolves to one): what the images are. */
  readonly convertedBy: 'virt-v2v' | 'qemu-img' | null;
  /** Per disk index, the highest percentage recorded: progress never moves backwards. */
  readonly progress: Readonly<Record<number, number>>;
  readonly artifacts: readonly Artifact[];
  readonly imageId: string | null;
  readonly serverId: string | null;
  /** Everything this job created that may still exist: what rollback removes. */
  readonly resources: readonly Resource[];
  readonly cancelRequested: boolean;
  /** The stage running under a lease, if one is. */
  readonly lease: Lease | null;
  readonly failure: Infer<typeof MigrationFailed>['data'] | null;
  readonly rollback: Rollback | null;
}

export type MigrationDecisionState =
  | { readonly phase: 'Empty'; readonly handled: ReadonlySet<string> }
  | {
      readonly phase: Exclude<MigrationPhase, 'Empty'>;
      readonly job: Job;
      readonly handled: ReadonlySet<string>;
    };

export type ActiveJobState = Extract<MigrationDecisionState, { job: Job }>;

const STATUS_OF: Record<Exclude<MigrationPhase, 'Empty'>, MigrationState> = {
  PENDING: 'PENDING',
  DISCOVERED: 'DISCOVERED',
  CONVERTING: 'CONVERTING',
  CONVERTED: 'CONVERTING',
  UPLOADING: 'UPLOADING',
  UPLOADED: 'UPLOADING',
  DEPLOYED: 'DEPLOYED',
  VERIFIED: 'VERIFIED',
  FAILED: 'FAILED',
  ROLLING_BACK: 'FAILED',
  ROLLED_BACK: 'ROLLED_BACK',
};

/** The state an operator sees. */
export const migrationStatus = (phase: Exclude<MigrationPhase, 'Empty'>): MigrationState =>
  STATUS_OF[phase];

/** The stage a phase is in (or about to start): a failure must name it, so a late report cannot move a job back. */
export const STAGE_OF_PHASE: Partial<Record<MigrationPhase, MigrationStage>> = {
  PENDING: 'validation',
  DISCOVERED: 'conversion',
  CONVERTING: 'conversion',
  CONVERTED: 'upload',
  UPLOADING: 'upload',
  UPLOADED: 'deployment',
  DEPLOYED: 'verification',
};

/** The phases in which each stage has work to do. */
export const PHASES_OF_STAGE: Readonly<Record<JobStage, readonly MigrationPhase[]>> = {
  validation: ['PENDING'],
  conversion: ['DISCOVERED', 'CONVERTING'],
  upload: ['CONVERTED', 'UPLOADING'],
  deployment: ['UPLOADED'],
  verification: ['DEPLOYED'],
  rollback: ['FAILED', 'ROLLING_BACK'],
};

/** Phases in which a job is being worked on and may fail or be cancelled. */
export const isActivePhase = (phase: MigrationPhase): boolean =>
  STAGE_OF_PHASE[phase] !== undefined;

export const resourceKey = (r: Resource): string => `${r.kind}:${r.id}`;

/** The resources with those added that are not among them yet (by `resourceKey`), in order. */
export function withResources(
  existing: readonly Resource[],
  added: readonly Resource[],
): readonly Resource[] {
  const keys = new Set(existing.map(resourceKey));
  const fresh = added.filter((r) => !keys.has(resourceKey(r)) && keys.add(resourceKey(r)));
  return fresh.length === 0 ? existing : [...existing, ...fresh];
}

/** A stage is a dry run when the flag that enables it was off when the job was created. */
export const dryRuns = (flags: MigrationFlags) => ({
  conversion: !flags.realConversion,
  deployment: !flags.openstackDeployment,
});
