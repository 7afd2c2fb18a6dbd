import { vmClaimStream, type MigrationOptions } from '@ferry/contracts';
import type { CommandContext } from '@ferry/domain';
import { ConflictError, vmClaimDecider } from '@ferry/domain';
import { handleCommand, type EventStore } from '@ferry/event-store';
import { openMigration, type MigrationDecision } from '@ferry/stages';
import { CommandRejectedError } from '@ferry/messaging';

/** An operator's request that the job's decider takes as it is (the job's state decides). */
async function askOfJob(
  store: EventStore,
  jobId: string,
  context: CommandContext,
  request: MigrationDecision,
  step: string,
): Promise<void> {
  const { decide } = await openMigration(store, jobId, context);
  await decide(request, step);
}

/** An operator's cancel: a failure they asked for, rolled back like any other. */
export const cancelJob = (
  store: EventStore,
  jobId: string,
  reason: string,
  context: CommandContext,
) =>
  askOfJob(
    store,
    jobId,
    context,
    { type: 'CancelMigration', data: { reason, requestedBy: context.correlationId } },
    'cancel',
  );

/**
 * An operator's request to run a failed job's rollback again (after one that could not remove
 * everything, or that never finished); the process manager sends the rollback its command.
 */
export const rerunRollback = (
  store: EventStore,
  jobId: string,
  reason: string,
  context: CommandContext,
) =>
  askOfJob(
    store,
    jobId,
    context,
    { type: 'RequestRollback', data: { reason, requestedBy: context.correlationId } },
    'rerun-rollback',
  );

/**
 * A new attempt of a rolled-back job: its VM is claimed again first (another job may hold it by
 * now, which refuses the retry), then the job starts over at PENDING with its history kept.
 */
export async function retryJob(
  store: EventStore,
  jobId: string,
  { reason, options }: { reason: string; options?: Partial<MigrationOptions> | undefined },
  context: CommandContext,
): Promise<void> {
  const { state, decide } = await openMigration(store, jobId, context);
  const { vmKey } = state.job;
  if (state.phase === 'ROLLED_BACK' || (state.phase === 'FAILED' && !state.job.flags.rollback)) {
    try {
      await handleCommand(store, vmClaimDecider, vmClaimStream(vmKey), {
        type: 'ClaimVm',
        data: { vmKey, jobId },
        metadata: { ...context, commandId: `${context.commandId}:claim` },
      });
    } catch (error) {
      if (error instanceof ConflictError)
        throw new CommandRejectedError(
          'illegal-state',
          `job ${jobId} cannot be retried: its VM ${vmKey} is held by job ${error.holder}`,
        );
      throw error;
    }
  }
  // The decider refuses a job in any other state, with the reason.
  await decide({ type: 'RetryMigration', data: { reason, ...(options && { options }) } }, 'retry');
}
