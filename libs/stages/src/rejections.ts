import { type EventStore } from '@ferry/event-store';
import { rejectionStreamId, type EventOf } from '@ferry/contracts';
import type { Rejection } from '@ferry/messaging';

/**
 * Records a command that was not carried out as a CommandRejected event on the stream its sender
 * can find by the command's id. Re-recording the same rejection stores it once.
 */
export function rejectionRecorder(
  store: EventStore,
  now: () => string = () => new Date().toISOString(),
) {
  return async (rejection: Rejection): Promise<void> => {
    const commandId = rejection.commandId ?? `unidentified-${crypto.randomUUID()}`;
    const event: EventOf<'CommandRejected'> = {
      type: 'CommandRejected',
      data: {
        subject: rejection.subject.slice(0, 255),
        commandType: rejection.commandType,
        commandId: rejection.commandId?.slice(0, 128) ?? null,
        reason: rejection.reason,
        errors: rejection.errors
          .slice(0, 50)
          .map((e) => ({ path: e.path.slice(0, 512), message: e.message.slice(0, 1024) })),
      },
      metadata: {
        commandId: commandId.slice(0, 128),
        correlationId: commandId.slice(0, 128),
        causationId: commandId.slice(0, 160),
        occurredAt: now(),
      },
    };
    await store.append(
      `rejection-${await rejectionStreamId(commandId)}`,
      [{ ...event, id: `rejected-${await rejectionStreamId(commandId)}` }],
      'any',
    );
  };
}
