import {
  decidedFor,
  migrationStream,
  refreshStreamId,
  rejectionStreamId,
  selectionStreamId,
  type MigrationEvent,
  type RefreshEvent,
  type RejectionEvent,
  type SelectionEvent,
} from '@ferry/contracts';
import type { EventStore, NewEvent, RecordedEvent } from './port.ts';

export type CreateMigrationsAnswer = RecordedEvent<SelectionEvent> | RecordedEvent<RejectionEvent>;

/**
 * The outcome of a CreateMigrations command (the selection processed) or its rejection, whichever
 * is recorded first, wherever the sender is; undefined when neither comes within `timeoutMs`.
 */
export async function createMigrationsAnswer(
  store: EventStore,
  commandId: string,
  timeoutMs: number,
): Promise<CreateMigrationsAnswer | undefined> {
  const outcome = `selection-${await selectionStreamId(commandId)}`;
  return outcomeOrRejection<SelectionEvent>(store, outcome, commandId, timeoutMs);
}

/**
 * The outcome of a RefreshInventory command (each source read, or why not) or its rejection;
 * undefined when neither comes within `timeoutMs`.
 */
export async function refreshAnswer(
  store: EventStore,
  commandId: string,
  timeoutMs: number,
): Promise<RecordedEvent<RefreshEvent> | RecordedEvent<RejectionEvent> | undefined> {
  const outcome = `refresh-${await refreshStreamId(commandId)}`;
  return outcomeOrRejection<RefreshEvent>(store, outcome, commandId, timeoutMs);
}

/** The first event on a command's outcome stream or on its rejection's, whichever comes first. */
async function outcomeOrRejection<E extends NewEvent>(
  store: EventStore,
  outcomeStream: string,
  commandId: string,
  timeoutMs: number,
): Promise<RecordedEvent<E> | RecordedEvent<RejectionEvent> | undefined> {
  return firstEvent<E | RejectionEvent>(
    store,
    [outcomeStream, `rejection-${await rejectionStreamId(commandId)}`],
    timeoutMs,
  );
}

/**
 * The answer to a request about one job (a cancel, a retry, a rollback asked for again): the
 * first event its handler decided on the job, or its rejection; undefined after the timeout.
 */
export async function jobRequestAnswer(
  store: EventStore,
  jobId: string,
  commandId: string,
  timeoutMs: number,
): Promise<RecordedEvent<MigrationEvent> | RecordedEvent<RejectionEvent> | undefined> {
  return firstEvent<MigrationEvent | RejectionEvent>(
    store,
    [migrationStream(jobId), `rejection-${await rejectionStreamId(commandId)}`],
    timeoutMs,
    (e) => e.type === 'CommandRejected' || decidedFor(commandId, e.metadata.commandId),
  );
}

/**
 * The first event (that `accepts`, if given) in any of the streams, already there or to come;
 * undefined after the timeout.
 */
export async function firstEvent<E extends NewEvent>(
  store: EventStore,
  streams: readonly string[],
  timeoutMs: number,
  accepts: (event: RecordedEvent<E>) => boolean = () => true,
): Promise<RecordedEvent<E> | undefined> {
  const subscriptions = streams.map((stream) => store.subscribe<E>(0, { stream }));
  const first = async (subscription: (typeof subscriptions)[number]) => {
    for await (const commit of subscription) {
      const found = commit.events.find(accepts);
      if (found) return found;
    }
    return new Promise<never>(() => undefined);
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      ...subscriptions.map(first),
      new Promise<undefined>(
        (resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)),
      ),
    ]);
  } finally {
    clearTimeout(timer);
    await Promise.all(subscriptions.map((s) => s.close()));
  }
}
