import { handleCommand, type HandleResult, type EventStore } from '@ferry/event-store';
import type { MigrationEvent } from '@ferry/contracts';
import {
  fold,
  migrationDecider,
  type ActiveJobState,
  type CommandContext,
  type MigrationCommand,
  type MigrationDecisionState,
} from '@ferry/domain';
import { CommandRejectedError } from '@ferry/messaging';
import { recordStageMetrics } from './stage-metrics.ts';

/** A command for a job, its metadata still to come. */
export type MigrationDecision = MigrationCommand extends infer C
  ? C extends MigrationCommand
    ? Omit<C, 'metadata'>
    : never
  : never;

export interface MigrationStage {
  readonly state: ActiveJobState;
  /** Decides on the job; `step` names this decision in its command id, so a redelivery repeats none. */
  decide(
    command: MigrationDecision,
    step: string,
  ): Promise<HandleResult<MigrationEvent, MigrationDecisionState>>;
}

/**
 * What a stage (conversion, upload, deployment) works from: the job's state folded from its
 * events, and decisions made with ids derived from the command that started the stage.
 */
export async function openMigration(
  store: EventStore,
  jobId: string,
  context: CommandContext,
  now: () => string = () => new Date().toISOString(),
): Promise<MigrationStage> {
  const stream = `migration-${jobId}`;
  const openedAt = performance.now();
  const state = fold(migrationDecider, (await store.read(stream)).events as never);
  if (state.phase === 'Empty') throw new CommandRejectedError('not-found', `no job ${jobId}`);
  return {
    state,
    decide: async (command, step) => {
      const result = await handleCommand(store, migrationDecider, stream, {
        ...command,
        metadata: {
          ...context,
          commandId: `${context.commandId}:${step}`.slice(0, 128),
          now: now(),
        },
      } as MigrationCommand);
      recordStageMetrics(result.events, openedAt);
      return result;
    },
  };
}
