import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NatsConnection } from '@nats-io/transport-node';
import type { JobStage } from '@ferry/contracts';
import {
  IllegalStateError,
  LeaseLostError,
  PHASES_OF_STAGE,
  StageBusyError,
  type ActiveJobState,
  type CommandContext,
  type Job,
} from '@ferry/domain';
import type { EventStore } from '@ferry/event-store';
import { isOutage, RetryLaterError } from '@ferry/messaging';
import type { Logger } from '@ferry/observability';
import { busyPollMs } from './busy-poll.ts';
import { watchJob, type StopReason } from './job-watch.ts';
import { LeaseKeeper } from './lease-keeper.ts';
import { migrationDecisions, openMigration, type Decide } from './open-job.ts';

/** How a stage's work failed, in the words of the job's failure event. */
export interface StageFailure {
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
}

/** What the runner needs of a service: where the store and NATS are, who it is, how long leases last. */
export interface StageRunnerDeps {
  readonly store: EventStore;
  readonly nc: NatsConnection;
  /** The service's name: holders are named after it, its host and its process. */
  readonly service: string;
  /** How long a lease lasts without progress (STAGE_LEASE_SECONDS). */
  readonly leaseMs: number;
  /** Fires when the service is stopping: work stops, and its command goes to another replica. */
  readonly stopping?: AbortSignal;
  readonly now?: () => string;
  readonly logger?: Pick<Logger, 'info' | 'warn'>;
}

/** One stage as the runner runs it: which, whether a job's run of it needs a lease, and its failures. */
export interface StageDefinition {
  readonly stage: JobStage;
  /** Whether the work has effects that must never happen twice at once (a dry run has none). */
  readonly leased: (job: Job) => boolean;
  /** The job's failure this error is, or undefined for one that is not the job's (retried). */
  readonly failureOf: (error: unknown) => StageFailure | undefined;
}

/** What a delivered command gives the runner: its message, and its heartbeat to drive. */
export interface Delivery {
  /** The command message's place in its stream: the same at each of its deliveries. */
  readonly sequence: number;
  /** How many times the message was delivered, this time included. */
  readonly deliveryCount: number;
  driveHeartbeat(): () => void;
}

/** What a stage's work gets: the job as it was opened, decisions, progress to report, and when to stop. */
export interface StageRun {
  readonly state: ActiveJobState;
  /** Fires when the work must stop: cancelled, failed elsewhere, lease lost or ended, service stopping. */
  readonly signal: AbortSignal;
  /** Decides on the job as the lease's holder (when the stage is leased). */
  readonly decide: Decide;
  /** The work moved forward: keeps the command in progress and the lease renewed. */
  progress(): void;
}

type Stop = StopReason | 'stopping' | 'expired' | 'lost';

/** What a released lease says of why its work stopped. */
const STOPPED: Readonly<Record<Stop, string>> = {
  cancelled: 'stopped: the job was cancelled',
  failed: 'stopped: the job failed meanwhile',
  'taken-over': 'stopped: another holder took the stage over',
  stopping: 'stopped: its service is stopping; another replica takes the stage up',
  expired: 'stopped: no progress for the length of the lease',
  lost: 'stopped: the lease was lost',
};

/**
 * Runs one stage of a job, the way every stage runs: open the job (nothing to do unless it is in
 * this stage), claim the stage under a lease when its work has side effects, run the work with a
 * heartbeat its progress drives, and record the outcome: done, failed (its holder's failure, which
 * ends the lease), or stopped (the lease let go; the job's cancel, failure or another holder stopped
 * it). A duplicate command for a stage held elsewhere changes nothing; the holder's own command,
 * delivered again while its lease holds, comes back once the lease may have lapsed.
 */
export async function runStage(
  deps: StageRunnerDeps,
  definition: StageDefinition,
  jobId: string,
  context: CommandContext,
  delivery: Delivery,
  work: (run: StageRun) => Promise<void>,
): Promise<void> {
  const { stage } = definition;
  const stopper = new AbortController();
  const stop = (reason: Stop) => {
    if (!stopper.signal.aborted) stopper.abort(reason);
  };
  let holder: string | undefined;
  // Watching before opening: a cancel appended meanwhile is not missed.
  const watch = watchJob(deps.nc, jobId, () => holder, stop);
  const onStopping = () => stop('stopping');
  deps.stopping?.addEventListener('abort', onStopping, { once: true });
  let keeper: LeaseKeeper | undefined;
  try {
    const opened = await openMigration(deps.store, jobId, context, {
      ...withNow(deps),
      answering: context.causationId,
    });
    if (!PHASES_OF_STAGE[stage].includes(opened.state.phase)) return; // done, or moved on
    const heartbeat = delivery.driveHeartbeat();
    let run = opened;
    if (definition.leased(opened.state.job)) {
      holder = `${deps.service}-${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
      const claimed = await claim(deps, definition, jobId, context, delivery, holder);
      if (!claimed) return;
      run = claimed;
      keeper = new LeaseKeeper({
        stage,
        holder,
        leaseMs: deps.leaseMs,
        until: Date.parse(
          (run.state.job.lease ?? { until: new Date(Date.now() + deps.leaseMs).toISOString() })
            .until,
        ),
        decide: run.decide,
        expired: () => stop('expired'),
        lost: () => stop('lost'),
      });
    }
    if (deps.stopping?.aborted) stop('stopping');
    let held = holder !== undefined;
    const decide: Decide = async (command, step) => {
      const result = await run.decide(command, step);
      if (result.state.phase !== 'Empty' && result.state.job.lease?.holder !== holder) held = false;
      return result;
    };
    try {
      await work({
        state: run.state,
        signal: stopper.signal,
        decide,
        progress: () => {
          heartbeat();
          keeper?.progress();
        },
      });
    } catch (error) {
      await keeper?.stop();
      const why = stopper.signal.aborted ? (stopper.signal.reason as Stop) : undefined;
      const failure =
        why === 'expired'
          ? {
              code: 'stalled',
              message: `${stage} made no progress for ${Math.round(deps.leaseMs / 1000)} s: stopped`,
              retryable: true,
            }
          : why === undefined
            ? definition.failureOf(error)
            : undefined;
      if (failure) {
        await recordFailure(decide, stage, failure);
        return;
      }
      if (why === 'lost' || why === 'taken-over')
        // Not ours any more: the command comes back, and finds the stage done or held.
        throw new RetryLaterError(deps.leaseMs, `the ${stage} lease of job ${jobId} was lost`);
      if (held)
        await release(
          decide,
          stage,
          holder,
          why ? STOPPED[why] : `stopped by an error: ${String(error)}`,
        );
      if (why === 'cancelled' || why === 'failed') return; // the job's own story goes on
      throw error; // the service stopping, or an error that is not the job's: another delivery tries again
    }
    await keeper?.stop();
    if (held) await release(decide, stage, holder, 'the work ended without its outcome');
  } finally {
    await keeper?.stop();
    watch.unsubscribe();
    deps.stopping?.removeEventListener('abort', onStopping);
  }
}

/**
 * Claims the stage for `holder`: the job as the claim left it, or undefined when there is nothing
 * to run here (the job moved on, or the stage is held elsewhere from another command).
 */
async function claim(
  deps: StageRunnerDeps,
  { stage }: StageDefinition,
  jobId: string,
  context: CommandContext,
  delivery: Delivery,
  holder: string,
) {
  const message = `FERRY_CMD:${delivery.sequence}`;
  const decide = migrationDecisions(deps.store, jobId, context, { ...withNow(deps), holder });
  try {
    // Named for this holder: a delivery of the same command again claims anew, and is told when
    // the lease is someone else's (the same name would be taken for a claim already made).
    const { state } = await decide(
      { type: 'ClaimStage', data: { stage, leaseMs: deps.leaseMs, message } },
      `claim-${holder.slice(-6)}`,
    );
    if (state.phase !== 'Empty' && state.job.lease?.holder !== holder) return undefined;
    if (state.phase === 'Empty') return undefined;
    return { state, decide };
  } catch (error) {
    if (error instanceof IllegalStateError) return undefined;
    if (!(error instanceof StageBusyError)) throw error;
    // Another command for a stage running elsewhere: that holder's own command is the one to finish it.
    if (error.stage === stage && error.workingFrom !== message) {
      deps.logger?.info(
        { jobId, stage, holder: error.holder },
        'the stage runs elsewhere; this command changes nothing',
      );
      return undefined;
    }
    // This very command, delivered again (its holder died or hangs), or a stage still stopping:
    // asked again when the lease lapses, or sooner, since a stopping holder releases it in seconds.
    const lapse = Date.parse(error.lapsesAt) - Date.now();
    const own = error.stage === stage;
    throw new RetryLaterError(busyPollMs(lapse, own, delivery.deliveryCount), error.message);
  }
}

async function recordFailure(decide: Decide, stage: JobStage, failure: StageFailure) {
  if (stage === 'rollback') return; // a rollback's failures are its steps'
  try {
    await decide(
      {
        type: 'FailMigration',
        data: {
          stage,
          code: failure.code,
          message: failure.message.slice(0, 4000),
          retryable: failure.retryable,
        },
      },
      'fail',
    );
  } catch (error) {
    // The job moved on meanwhile (cancelled, failed elsewhere), or the lease went: nothing to record.
    if (!(error instanceof IllegalStateError || error instanceof LeaseLostError)) throw error;
  }
}

async function release(
  decide: Decide,
  stage: JobStage,
  holder: string | undefined,
  reason: string,
) {
  // Named for the holder, like its claim: each holder lets go of its own lease.
  const attempt = () =>
    decide(
      { type: 'ReleaseStage', data: { stage, reason: reason.slice(0, 1000) } },
      `release-${holder?.slice(-6)}`,
    );
  try {
    await attempt();
  } catch (error) {
    // The store away: asked again meanwhile, so that the stage is free as soon as the store is
    // back, not when the lease lapses (minutes of every other delivery of the command waiting).
    if (isOutage(error)) void releaseLater(attempt);
  }
}

/** Tries a release again after 1, 2, 4 ... 64 s, until it is recorded or cannot be. */
async function releaseLater(attempt: () => Promise<unknown>) {
  for (let delay = 1_000; delay <= 64_000; delay *= 2) {
    await sleep(delay, undefined, { ref: false });
    try {
      await attempt();
      return;
    } catch (error) {
      if (!isOutage(error)) return; // the job moved on, or the lease lapsed and went to another
    }
  }
}

const withNow = (deps: StageRunnerDeps) => (deps.now ? { now: deps.now } : {});
