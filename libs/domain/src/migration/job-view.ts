import {
  JOB_STAGES,
  type EventData,
  type JobStage,
  type MigrationEvent,
  type MigrationState,
} from '@ferry/contracts';
import { evolve } from './evolve.ts';
import { migrationStatus, type Job, type MigrationPhase } from './state.ts';

export { JOB_STAGES, type JobStage };

export interface StageTiming {
  readonly stage: JobStage;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly durationMs: number | null;
  readonly outcome: 'running' | 'done' | 'failed';
}

export interface DiskProgress {
  readonly diskIndex: number;
  readonly path: string;
  readonly capacityBytes: number;
  /** Never moves backwards. */
  readonly percent: number;
  readonly bytesDone: number | null;
}

/** An event's data with when it happened. */
export type Recorded<T extends MigrationEvent['type']> = EventData<T> & { readonly at: string };

/** One job as operators see it: the decider's fold of its events, with when each thing happened. */
export interface JobView {
  /** The state operators see (the seed's names). */
  readonly state: MigrationState;
  /** Finer than `state`: e.g. CONVERTED, ROLLING_BACK. */
  readonly phase: Exclude<MigrationPhase, 'Empty'>;
  /** What the migration decider knows of the job: VM, options, flags, attempt, artifacts, image, server, resources, failure. */
  readonly job: Job;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** How many events were folded: the stream's revision + 1 when the whole stream was. */
  readonly events: number;
  /** The current attempt's stages, in the order they started. */
  readonly stages: readonly StageTiming[];
  readonly validation: Recorded<'MigrationValidated'> | null;
  readonly conversion:
    | (Omit<Recorded<'ConversionStarted'>, 'disks'> & { readonly disks: readonly DiskProgress[] })
    | null;
  readonly converted: Recorded<'ConversionCompleted'> | null;
  readonly upload: Recorded<'ImageUploadStarted'> | null;
  readonly uploaded: Recorded<'ImageUploadCompleted'> | null;
  readonly deployment: Recorded<'ServerDeployed'> | null;
  readonly verification: Recorded<'MigrationVerified'> | null;
  readonly failure: Recorded<'MigrationFailed'> | null;
  readonly rollback: {
    readonly startedAt: string;
    readonly steps: readonly Recorded<'RollbackStepCompleted'>[];
    readonly completed: Recorded<'RollbackCompleted'> | null;
  } | null;
  /** True when any stage only recorded what it would have done (its feature flag was off). */
  readonly dryRun: boolean;
}

/** Before the job's first event. */
export const initialJobView: JobView | null = null;

/**
 * Folds one of a job's events into its view. The time of each event is its `occurredAt`, so the
 * same events give the same view however late they are read. Events before MigrationCreated are ignored.
 */
export function evolveJobView(view: JobView | null, event: MigrationEvent): JobView | null {
  const at = event.metadata.occurredAt;
  const decided = evolve(
    view === null
      ? { phase: 'Empty', handled: NONE }
      : { phase: view.phase, job: view.job, handled: NONE },
    event,
  );
  if (decided.phase === 'Empty') return view;
  const newAttempt =
    view === null || event.type === 'MigrationCreated' || event.type === 'MigrationRetried';
  const next: JobView = {
    ...(newAttempt ? FRESH_ATTEMPT : view),
    phase: decided.phase,
    state: migrationStatus(decided.phase),
    job: decided.job,
    createdAt: view?.createdAt ?? at,
    updatedAt: at,
    events: (view?.events ?? 0) + 1,
  };
  switch (event.type) {
    case 'MigrationCreated':
    case 'MigrationRetried':
      return { ...next, stages: [running('validation', at)] };
    case 'MigrationValidated':
      return {
        ...next,
        validation: { ...event.data, at },
        stages: end(
          next.stages,
          'validation',
          at,
          event.data.outcome === 'passed' ? 'done' : 'failed',
        ),
      };
    case 'ConversionStarted':
      return {
        ...next,
        conversion: {
          ...event.data,
          at,
          disks: event.data.disks.map((d) => ({ ...d, percent: 0, bytesDone: null })),
        },
        stages: start(next.stages, 'conversion', at),
        dryRun: next.dryRun || event.data.dryRun,
      };
    case 'ConversionProgressed': {
      const { diskIndex, percent, bytesDone } = event.data;
      if (!next.conversion) return next;
      const disks = next.conversion.disks.map((d) =>
        d.diskIndex === diskIndex
          ? { ...d, percent: Math.max(d.percent, percent), bytesDone: bytesDone ?? d.bytesDone }
          : d,
      );
      return { ...next, conversion: { ...next.conversion, disks } };
    }
    case 'ConversionCompleted':
      return {
        ...next,
        conversion: next.conversion && {
          ...next.conversion,
          disks: next.conversion.disks.map((d) => ({ ...d, percent: 100 })),
        },
        converted: { ...event.data, at },
        stages: end(next.stages, 'conversion', at, 'done'),
        dryRun: next.dryRun || event.data.dryRun,
      };
    case 'ImageUploadStarted':
      return {
        ...next,
        upload: { ...event.data, at },
        stages: start(next.stages, 'upload', at),
        dryRun: next.dryRun || event.data.dryRun,
      };
    case 'ImageUploadCompleted':
      return {
        ...next,
        uploaded: { ...event.data, at },
        stages: start(end(next.stages, 'upload', at, 'done'), 'deployment', at),
        dryRun: next.dryRun || event.data.dryRun,
      };
    case 'ServerDeployed':
      return {
        ...next,
        deployment: { ...event.data, at },
        stages: start(end(next.stages, 'deployment', at, 'done'), 'verification', at),
        dryRun: next.dryRun || event.data.dryRun,
      };
    case 'MigrationVerified':
      return {
        ...next,
        verification: { ...event.data, at },
        stages: end(next.stages, 'verification', at, 'done'),
        dryRun: next.dryRun || event.data.outcome === 'dry-run',
      };
    case 'MigrationFailed':
      return {
        ...next,
        failure: { ...event.data, at },
        // A stage that fails before its start event began when the stage before it ended.
        stages: end(
          start(next.stages, event.data.stage, next.stages.at(-1)?.endedAt ?? at),
          event.data.stage,
          at,
          'failed',
        ),
      };
    case 'RollbackStarted':
      return {
        ...next,
        rollback: { startedAt: at, steps: [], completed: null },
        stages: start(next.stages, 'rollback', at),
      };
    case 'RollbackStepCompleted':
      return next.rollback
        ? {
            ...next,
            rollback: { ...next.rollback, steps: [...next.rollback.steps, { ...event.data, at }] },
          }
        : next;
    case 'RollbackCompleted':
      return {
        ...next,
        rollback: next.rollback && { ...next.rollback, completed: { ...event.data, at } },
        stages: end(
          next.stages,
          'rollback',
          at,
          event.data.outcome === 'complete' ? 'done' : 'failed',
        ),
      };
    case 'RollbackRequested':
      // A finished rollback runs again: its steps so far stay in the history, the new run's follow.
      return next.phase === 'FAILED' && next.rollback
        ? { ...next, rollback: null, stages: next.stages.filter((s) => s.stage !== 'rollback') }
        : next;
    case 'ResourceRecorded':
    case 'CancelRequested':
    case 'StageClaimed':
    case 'StageLeaseRenewed':
    case 'StageReleased':
      return next;
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
    }
  }
}

/** The view's decision state is rebuilt per event; which commands were handled does not matter to a view. */
const NONE: ReadonlySet<string> = new Set();

/** A new attempt starts with none of the last one's stages; its events stay in the history. */
const FRESH_ATTEMPT = {
  stages: [],
  validation: null,
  conversion: null,
  converted: null,
  upload: null,
  uploaded: null,
  deployment: null,
  verification: null,
  failure: null,
  rollback: null,
  dryRun: false,
} satisfies Partial<JobView>;

const running = (stage: JobStage, at: string): StageTiming => ({
  stage,
  startedAt: at,
  endedAt: null,
  durationMs: null,
  outcome: 'running',
});

/** Starts a stage, unless it has started already (a stage with no start event starts when the one before it ends). */
const start = (stages: readonly StageTiming[], stage: JobStage, at: string) =>
  stages.some((s) => s.stage === stage) ? stages : [...stages, running(stage, at)];

function end(
  stages: readonly StageTiming[],
  stage: JobStage,
  at: string,
  outcome: 'done' | 'failed',
): readonly StageTiming[] {
  return stages.map((s) =>
    s.stage === stage
      ? {
          ...s,
          endedAt: s.endedAt ?? at,
          durationMs: Date.parse(s.endedAt ?? at) - Date.parse(s.startedAt),
          outcome,
        }
      : s,
  );
}

/** The states a job is always at rest in (FAILED is too, when rollback is off). */
export const FINISHED_STATES: ReadonlySet<MigrationState> = new Set(['VERIFIED', 'ROLLED_BACK']);

/** Whether the job has come to rest: VERIFIED, ROLLED_BACK, or FAILED with rollback off. */
export const isJobFinished = (view: JobView): boolean =>
  FINISHED_STATES.has(view.state) || (view.state === 'FAILED' && !view.job.flags.rollback);
