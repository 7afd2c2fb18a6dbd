import type { JetStreamClient } from '@nats-io/jetstream';
import type { Actor, CommandOf, FerryCommand, MigrationOptions, SourceRef } from '@ferry/contracts';
import { createMigrationsAnswer, jobRequestAnswer, type EventStore } from '@ferry/event-store';
import { InvalidCommandError, publishCommand } from '@ferry/messaging';
import { gatewayError } from './graphql/errors.ts';

export interface CommandOutcome {
  readonly commandId: string;
  readonly jobId?: string;
  readonly accepted: boolean;
  readonly reason: string | null;
}

/**
 * The gateway's side of Ferry's commands: it publishes them on NATS exactly as another system
 * would, and reads the answer where any sender finds it (the selection, the job's stream, or the
 * rejection). The services decide; nothing here does.
 */
export class Commands {
  constructor(
    private readonly js: JetStreamClient,
    private readonly store: EventStore,
    private readonly answerTimeoutMs: number,
  ) {}

  async refresh(
    actor: Actor,
    source: SourceRef | undefined,
    commandId: string = crypto.randomUUID(),
  ) {
    await this.publish({
      type: 'RefreshInventory',
      data: source ? { source } : {},
      metadata: metadataFor(actor, commandId),
    });
    return { commandId };
  }

  async migrate(
    actor: Actor,
    vmKeys: readonly string[],
    options: Partial<MigrationOptions>,
    commandId: string = crypto.randomUUID(),
  ) {
    await this.publish({
      type: 'CreateMigrations',
      data: { vmKeys: [...vmKeys], ...(Object.keys(options).length > 0 && { options }) },
      metadata: metadataFor(actor, commandId),
    });
    const answer = await createMigrationsAnswer(this.store, commandId, this.answerTimeoutMs);
    if (answer === undefined) throw unanswered(commandId, 'jobs');
    if (answer.type === 'CommandRejected')
      throw gatewayError(
        answer.data.reason === 'invalid' ? 'BAD_USER_INPUT' : 'UNAVAILABLE',
        `migrate refused (${answer.data.reason})`,
        answer.data.errors,
      );
    return { commandId, ...answer.data };
  }

  cancel(actor: Actor, jobId: string, reason: string | undefined) {
    return this.jobRequest({
      type: 'CancelMigration',
      data: { jobId, reason: reason || 'cancelled by an operator in the console' },
      metadata: metadataFor(actor),
    });
  }

  retry(
    actor: Actor,
    jobId: string,
    reason: string | undefined,
    options: Partial<MigrationOptions> = {},
  ) {
    return this.jobRequest({
      type: 'RetryMigration',
      data: {
        jobId,
        reason: reason || 'retried by an operator in the console',
        ...(Object.keys(options).length > 0 && { options }),
      },
      metadata: metadataFor(actor),
    });
  }

  rerunRollback(actor: Actor, jobId: string, reason: string | undefined) {
    return this.jobRequest({
      type: 'RerunRollback',
      data: { jobId, reason: reason || 'asked for again by an operator in the console' },
      metadata: metadataFor(actor),
    });
  }

  /** Sends a request about one job; accepted once the job records it, refused when the jobs service rejects it. */
  private async jobRequest(
    command:
      CommandOf<'CancelMigration'> | CommandOf<'RetryMigration'> | CommandOf<'RerunRollback'>,
  ): Promise<CommandOutcome> {
    const { commandId } = command.metadata;
    await this.publish(command);
    const answer = await jobRequestAnswer(
      this.store,
      command.data.jobId,
      commandId,
      this.answerTimeoutMs,
    );
    const { jobId } = command.data;
    if (answer === undefined) throw unanswered(commandId, 'jobs');
    if (answer.type !== 'CommandRejected')
      return { commandId, jobId, accepted: true, reason: null };
    const why = answer.data.errors.map((e) => e.message).join('; ');
    return { commandId, jobId, accepted: false, reason: `${answer.data.reason}: ${why}` };
  }

  private async publish(command: FerryCommand): Promise<void> {
    try {
      await publishCommand(this.js, command, { retryForMs: 2_000 });
    } catch (error) {
      if (error instanceof InvalidCommandError)
        throw gatewayError('BAD_USER_INPUT', error.message, error.errors);
      throw gatewayError(
        'UNAVAILABLE',
        `could not send the command to NATS: ${(error as Error).message}`,
      );
    }
  }
}

/** A new command's metadata: its id, when it was sent, and who asked. */
const metadataFor = (actor: Actor, commandId: string = crypto.randomUUID()) => ({
  commandId,
  issuedAt: new Date().toISOString(),
  actor,
});

const unanswered = (commandId: string, service: string) =>
  gatewayError(
    'UNAVAILABLE',
    `command ${commandId} was sent, but no answer came: is the ${service} service running?`,
  );
