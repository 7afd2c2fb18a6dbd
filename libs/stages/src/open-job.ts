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
  options: DecisionOptions & OpenOptions = {},
): Promise<MigrationStage> {
  const openedAt = performance.now();
  let state: MigrationDecisionState;
  try {
    state = fold(migrationDecider, await jobEvents(store, jobId, options.answering));
  } catch (error) {
    if (error instanceof UnreadableStreamError)
      throw new CommandRejectedError('unreadable-stream', error.message);
    throw error;
  }
  if (state.phase === 'Empty') throw new CommandRejectedError('not-found', `no job ${jobId}`);
  return { state, decide: migrationDecisions(store, jobId, context, options, openedAt) };
}

export interface OpenOptions {
  /**
   * The id of the event the command answers: the job as this process last saw it will do when it
   * holds that event (it is then as new as the command; every decision on it is checked by revision).
   */
  readonly answering?: string | undefined;
}

async function jobEvents(store: EventStore, jobId: string, answering: string | undefined) {
  const stream = migrationStream(jobId);
  if (answering !== undefined) {
    const { events } = await store.read<MigrationEvent>(stream, { seen: true });
    if (events.some((e) => e.eventId === answering)) return events;
  }
  return (await store.read<MigrationEvent>(stream)).events;
}

export interface DecisionOptions {
  readonly now?: () => string;
  /** The lease holder the decisions are made as. */
  readonly holder?: string;
}

/** Decisions on a job with ids derived from the command being handled (see openMigration). */
export function migrationDecisions(
  store: EventStore,
  jobId: string,
  context: CommandContext,
  options: DecisionOptions = {},
  openedAt = performance.now(),
): Decide {
  const stream = migrationStream(jobId);
  const now = options.now ?? (() => new Date().toISOString());
  return async (command, step) => {
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
  };
}
