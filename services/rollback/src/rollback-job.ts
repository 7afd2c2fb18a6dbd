import { createHash } from 'node:crypto';
import type { ResourceKind } from '@ferry/contracts';
import { resourceKey, type CommandContext } from '@ferry/domain';
import { type EventStore } from '@ferry/event-store';
import { openMigration } from '@ferry/stages';
import { removeResource, type RemoveDeps } from './remove-resource.ts';
import { rollbackOrder } from './rollback-order.ts';
import { sweep, type SweepDeps } from './sweep.ts';

export interface RollbackDeps extends RemoveDeps, SweepDeps {
  readonly store: EventStore;
  /** ROLLBACK_KEEP: the kinds of resource a rollback leaves in place. */
  readonly keep: readonly ResourceKind[];
  readonly log?: { warn(fields: object, message: string): void };
  readonly now?: () => string;
}

/**
 * Rolls a failed job back: everything its events recorded, and whatever carries its marks, is
 * removed in dependency order (server, ports, volumes, images, files), each step recorded with what
 * it did. A rollback cut short (a crash) goes on from the first resource not dealt with; a job
 * already rolled back, or not failed, is left alone.
 */
export async function rollBackJob(
  deps: RollbackDeps,
  jobId: string,
  context: CommandContext,
): Promise<void> {
  const { state: opened, decide } = await openMigration(deps.store, jobId, context, deps.now);
  let state = opened;
  if (state.phase === 'FAILED') {
    if (!state.job.flags.rollback) return; // the job was created with ENABLE_ROLLBACK=false
    const { found, problem, unconfigured } = await sweep(deps, state.job);
    // OpenStack not answering now: the command comes again with backoff rather than a rollback
    // that calls itself complete while the job's unrecorded resources were never looked for.
    if (problem !== undefined && !unconfigured)
      throw new Error(`OpenStack could not be searched for resources of job ${jobId}: ${problem}`);
    if (problem !== undefined)
      deps.log?.warn(
        { jobId, problem },
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
      : await removeResource(deps, resource);
    // A short digest names the step: artifact paths are long, and a command id is at most 128 characters.
    const digest = createHash('sha256').update(key).digest('hex').slice(0, 16);
    await decide(
      { type: 'RecordRollbackStep', data: { resource, ...step } },
      `step-${digest}-${previous ?? 'first'}`,
    );
  }
  await decide({ type: 'CompleteRollback', data: {} }, 'complete');
}
