import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { COMMAND_SUBJECTS, validateCommand, type FerryCommand } from '@ferry/contracts';
import { contextHeaders } from './headers.ts';

export class InvalidCommandError extends Error {
  readonly errors: readonly { path: string; message: string }[];
  constructor(errors: readonly { path: string; message: string }[]) {
    super(
      `invalid command: ${errors.map((e) => `${e.path || '(message)'} ${e.message}`).join('; ')}`,
    );
    this.name = 'InvalidCommandError';
    this.errors = errors;
  }
}

/**
 * Publishes a command on its subject. The command id is the `Nats-Msg-Id`, so the same command sent
 * twice within the dedupe window is stored once. Ferry checks its own commands as strictly as anyone's.
 */
export async function publishCommand(
  js: JetStreamClient,
  command: FerryCommand,
  trace?: { traceparent?: string },
): Promise<PubAck> {
  const checked = validateCommand(command);
  if (!checked.ok) throw new InvalidCommandError(checked.errors);
  const { commandId, correlationId, causationId } = command.metadata;
  return js.publish(COMMAND_SUBJECTS[command.type], JSON.stringify(command), {
    msgID: commandId,
    headers: contextHeaders({
      commandId,
      correlationId: correlationId ?? commandId,
      causationId,
      traceparent: trace?.traceparent,
    }),
  });
}
