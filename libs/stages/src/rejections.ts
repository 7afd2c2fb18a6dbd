import { type EventStore } from '@ferry/event-store';
import { isCommandId, rejectionStreamId, type EventOf } from '@ferry/contracts';
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
    const streamId = await rejectionStreamId(commandId);
    // The event's metadata holds a valid id: a claimed one that is not (often why the command was
    // refused) still names the stream its sender reads, and the event's data quotes it.
    const ownId = isCommandId(commandId.slice(0, 128))
      ? commandId.slice(0, 128)
      : `unidentified-${streamId}`;
    const event: EventOf<'CommandRejected'> = {
      type: 'CommandRejected',
      data: {
        subject: rejection.subject.slice(0, 255),
        commandType: rejection.commandType?.slice(0, 128) ?? null,
        commandId: rejection.commandId?.slice(0, 128) ?? null,
        reason: rejection.reason,
        errors: rejection.errors
          .slice(0, 50)
          .map((e) => ({ path: e.path.slice(0, 512), message: e.message.slice(0, 1024) })),
      },
      metadata: { commandId: ownId, correlationId: ownId, causationId: ownId, occurredAt: now() },
    };
    await store.append(`rejection-${streamId}`, [{ ...event, id: `rejected-${streamId}` }], 'any');
  };
}
