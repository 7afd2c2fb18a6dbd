import { eventId } from './command-handler.ts';
import { WrongExpectedRevisionError } from './errors.ts';
import type { EventStore, NewEvent } from './port.ts';

/**
 * Records what a command did as the one event of a stream of its own, where its sender looks. A
 * redelivery of the command finds it recorded already: the first outcome stands.
 */
export async function recordOutcome(
  store: EventStore,
  stream: string,
  commandId: string,
  event: Omit<NewEvent, 'id'>,
): Promise<void> {
  try {
    await store.append(stream, [{ ...event, id: eventId(stream, commandId, 0) }], 'no-stream');
  } catch (error) {
    if (!(error instanceof WrongExpectedRevisionError)) throw error;
  }
}
