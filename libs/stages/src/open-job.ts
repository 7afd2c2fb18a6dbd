import { migrationStream, type MigrationEvent } from '@ferry/contracts';
import {
  decisionId,
  fold,
  migrationDecider,
  type ActiveJobState,
  type CommandContext,
  type MigrationCommand,
  type MigrationDecisionState,
} from '@ferry/domain';
import {
  handleCommand,
  UnreadableStreamError,
  type EventStore,
  type HandleResult,
} from '@ferry/event-store';
import { CommandRejectedError } from '@ferry/messaging';
import { recordStageMetrics } from './stage-metrics.ts';

/** A command for a job, its metadata still to come. */
export type MigrationDecision = MigrationCommand extends infer C
  ? C extends MigrationCommand
    ? Omit<C, 'metadata'>
    : never
  : never;

export type Decide = (
  command: MigrationDecision,
  step: string,
) => Promise<HandleResult<MigrationEvent, MigrationDecisionState>>;

export interface MigrationStage {
  readonly state: ActiveJobState;
  /** Decides on the job; `step` names this decision in its command id, so a redelivery repeats none. */
  readonly decide: Decide;
}

/**
 * What a handler works from: the job's state folded from its events, and decisions made with ids
 * derived from the command it handles (as `holder`, when given: see the stage runner). A job that
 * does not exist, or whose history cannot be read, refuses the command.
 */
export async function openMigration(
  store: EventStore,
  jobId: string,
  context: CommandContext,
  options: { now?: () => string; holder?: string } = {},
): Promise<MigrationStage> {
  const stream = migrationStream(jobId);
  const openedAt = performance.now();
  const now = options.now ?? (() => new Date().toISOString());
  let state: MigrationDecisionState;
  try {
    state = fold(migrationDecider, (await store.read<MigrationEvent>(stream)).events);
  } catch (error) {
    if (error instanceof UnreadableStreamError)
      throw new CommandRejectedError('unreadable-stream', error.message);
    throw error;
  }
  if (state.phase === 'Empty') throw new CommandRejectedError('not-found', `no job ${jobId}`);
  return {
    state,
    decide: async (command, step) => {
      const result = await handleCommand(store, migrationDecider, stream, {
        ...command,
        metadata: {
          ...context,
          commandId: decisionId(context.commandId, step),
          now: now(),
          ...(options.holder === undefined ? {} : { holder: options.holder }),
        },
      } as MigrationCommand);
      recordStageMetrics(result.events, openedAt);
      return result;
    },
  };
}
