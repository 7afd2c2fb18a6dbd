import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { commandSubject, validateCommand, type FerryCommand } from '@ferry/contracts';
import { activeTraceparent } from '@ferry/observability';
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
 * Publishes a command on its subject, with the trace context of the active span (or the one given). The command id is the `Nats-Msg-Id`, so the same command sent
 * twice within the dedupe window is stored once. Ferry checks its own commands as strictly as anyone's.
 */
export async function publishCommand(
  js: JetStreamClient,
  command: FerryCommand,
  options: { traceparent?: string; retryForMs?: number } = {},
): Promise<PubAck> {
  const checked = validateCommand(command);
  if (!checked.ok) throw new InvalidCommandError(checked.errors);
  const { commandId, correlationId, causationId } = command.metadata;
  const headers = contextHeaders({
    commandId,
    correlationId: correlationId ?? commandId,
    causationId,
    // The sender's span by default: the command's handler continues its trace.
    traceparent: options.traceparent ?? activeTraceparent(),
  });
  const publish = () =>
    js.publish(commandSubject(command), JSON.stringify(command), {
      msgID: commandId,
      headers,
    });
  // Re-sending is safe: the command id is the Nats-Msg-Id, so JetStream keeps one copy.
  const deadline = Date.now() + (options.retryForMs ?? 0);
  for (let delay = 50; ; delay = Math.min(delay * 2, 1_000)) {
    try {
      return await publish();
    } catch (error) {
      if (Date.now() + delay > deadline || !isTransient(error)) throw error;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

// Errors a publish meets while the server restarts (JetStream comes up after the listener) or a cluster elects a leader.
const isTransient = (error: unknown): boolean =>
  /timeout|timed out|no responders|disconnect|closed|reconnect|503|jetstream is not enabled|JetStreamNotEnabled/i.test(
    error instanceof Error ? `${error.name} ${error.message}` : String(error),
  );
