import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResourceKind } from '@ferry/contracts';
import { resourceKey, type CommandContext, type Job } from '@ferry/domain';
import {
  runStage,
  type Delivery,
  type StageDefinition,
  type StageRun,
  type StageRunnerDeps,
} from '@ferry/stages';
import { removeResource, type RemoveDeps } from './remove-resource.ts';
import { delayAfter } from './retry-policy.ts';
import { rollbackOrder } from './rollback-order.ts';
import { sweep, type Sweep, type SweepDeps } from './sweep.ts';

export interface RollbackDeps extends RemoveDeps, SweepDeps {
  /** What the stage runner needs: the store, NATS, leases, the service's stopping signal. */
  readonly runner: StageRunnerDeps;
  /** ROLLBACK_KEEP: the kinds of resource a rollback leaves in place. */
  readonly keep: readonly ResourceKind[];
  readonly log?: { warn(fields: object, message: string): void };
}

/**
 * Rollback, as the stage runner runs it: always under a lease, so it starts only once the stage
 * that failed (or was cancelled) has stopped; its failures are its steps', never the job's.
 */
export const ROLLBACK: StageDefinition = {
  stage: 'rollback',
  leased: () => true,
  failureOf: () => undefined,
};

/**
 * Rolls a failed job back: everything its events recorded, and whatever carries its marks, is
 * removed in dependency order (server, ports, volumes, images, files), each step recorded with what
 * it did. A cloud that does not answer is waited for (ROLLBACK_DEADLINE_SECONDS), never given up
 * on at once. A rollback cut short (a crash) goes on from the first resource not dealt with; a job
 * already rolled back, or not failed, is left alone.
 */
export function rollBackJob(
  deps: RollbackDeps,
  jobId: string,
  context: CommandContext,
  delivery: Delivery,
): Promise<void> {
  return runStage(deps.runner, ROLLBACK, jobId, context, delivery, (run) => rollBack(deps, run));
}

async function rollBack(deps: RollbackDeps, run: StageRun): Promise<void> {
  const { decide } = run;
  let state = run.state;
  if (state.phase === 'FAILED') {
    if (!state.job.flags.rollback) return; // the job was created with ENABLE_ROLLBACK=false
    const { found, problem } = await sweepWaitingForTheCloud(deps, state.job, run);
    if (problem !== undefined)
      deps.log?.warn(
        { jobId: state.job.jobId, problem },
        'OpenStack could not be searched for resources of the job',
      );
    const started = await decide(
      { type: 'StartRollback', data: { keep: deps.keep, found } },
      'start',
    );
    if (started.state.phase === 'Empty') return;
    state = started.state;
  }
  if (state.phase !== 'ROLLING_BACK' || !state.job.rollback) return;
  const { keep, resources, steps } = state.job.rollback;
  for (const resource of rollbackOrder(resources)) {
    const key = resourceKey(resource);
    const previous = steps[key];
    if (previous !== undefined && previous !== 'failed') continue;
    const step = keep.includes(resource.kind)
      ? { outcome: 'kept' as const, detail: `kept: ROLLBACK_KEEP includes ${resource.kind}` }
      : await removeResource(deps, resource, run);
    // A short digest names the step: artifact paths are long, and a command id is at most 128 characters.
    const digest = createHash('sha256').update(key).digest('hex').slice(0, 16);
    await decide(
      { type: 'RecordRollbackStep', data: { resource, ...step } },
      `step-${digest}-${previous ?? 'first'}`,
    );
  }
  await decide({ type: 'CompleteRollback', data: {} }, 'complete');
}

/**
 * What the job left that its events do not record. A cloud that does not answer is asked again
 * until the rollback's deadline; one that answers with a refusal, or none configured at all, is
 * reported and the rollback goes on with what the events record.
 */
async function sweepWaitingForTheCloud(
  deps: RollbackDeps,
  job: Job,
  { progress, signal }: StageRun,
): Promise<Sweep> {
  const started = Date.now();
  for (let failures = 1; ; failures++) {
    progress();
    const found = await sweep(deps, job);
    const delay = found.away
      ? delayAfter(failures, deps.backoff, { waitedMs: Date.now() - started })
      : undefined;
    if (delay === undefined) return found;
    await sleep(delay, undefined, { signal });
  }
}
