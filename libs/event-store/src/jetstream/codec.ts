import type { Commit, NewEvent, RecordedEvent } from '../port.ts';

/** One commit, as one JetStream message: the first event's revision and the events. */
export interface CommitPayload {
  readonly revision: number;
  readonly events: readonly {
    readonly id: string;
    readonly type: string;
    readonly data: unknown;
    readonly metadata?: unknown;
  }[];
}

export const REVISION_HEADER = 'Ferry-Revision';
/** W3C trace context of the span that appended a commit (when tracing is on). */
export const TRACEPARENT_HEADER = 'traceparent';

export function encodeCommit(
  firstRevision: number,
  events: readonly NewEvent[],
): { bytes: Uint8Array; ids: string[] } {
  const ids = events.map((e) => e.id ?? crypto.randomUUID());
  const payload: CommitPayload = {
    revision: firstRevision,
    events: events.map((e, i) => ({
      id: ids[i] as string,
      type: e.type,
      data: e.data,
      ...(e.metadata === undefined ? {} : { metadata: e.metadata }),
    })),
  };
  return { bytes: new TextEncoder().encode(JSON.stringify(payload)), ids };
}

export function decodeCommit<E extends NewEvent>(
  streamName: string,
  position: number,
  bytes: Uint8Array,
): Commit<E> {
  const payload = JSON.parse(new TextDecoder().decode(bytes)) as CommitPayload;
  const events = payload.events.map(
    (e, i) =>
      ({
        type: e.type,
        data: e.data,
        ...(e.metadata === undefined ? {} : { metadata: e.metadata }),
        eventId: e.id,
        streamName,
        revision: payload.revision + i,
        position,
      }) as unknown as RecordedEvent<E>,
  );
  return { streamName, position, events };
}
