import type { EventCommit } from '@ferry/contracts';
import type { Commit, EventCheck, NewEvent, RecordedEvent } from '../port.ts';

export function encodeCommit(
  firstRevision: number,
  events: readonly NewEvent[],
): { bytes: Uint8Array; ids: string[] } {
  const ids = events.map((e) => e.id ?? crypto.randomUUID());
  const payload: EventCommit = {
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

export type Decoded<E extends NewEvent> =
  | { readonly ok: true; readonly commit: Commit<E> }
  | { readonly ok: false; readonly reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The commit in a message's bytes, or why there is none: bytes that are not a commit, or an event
 * the check refuses. Never throws: what a writer put there is outside data.
 */
export function decodeCommit<E extends NewEvent>(
  streamName: string,
  position: number,
  bytes: Uint8Array,
  check?: EventCheck,
): Decoded<E> {
  let payload: unknown;
  try {
    payload = JSON.parse(utf8.decode(bytes));
  } catch (error) {
    return { ok: false, reason: `not a JSON commit: ${(error as Error).message}`.slice(0, 300) };
  }
  const problem = shapeProblem(payload);
  if (problem) return { ok: false, reason: problem };
  const { revision, events } = payload as EventCommit;
  for (const [i, { type, data, metadata }] of events.entries()) {
    // The event as it was appended, its id aside.
    const refused = check?.(metadata === undefined ? { type, data } : { type, data, metadata });
    if (refused) return { ok: false, reason: `event ${i} (${type.slice(0, 64)}): ${refused}` };
  }
  return {
    ok: true,
    commit: {
      streamName,
      position,
      events: events.map(
        (e, i) =>
          ({
            type: e.type,
            data: e.data,
            ...(e.metadata === undefined ? {} : { metadata: e.metadata }),
            eventId: e.id,
            streamName,
            revision: revision + i,
            position,
          }) as unknown as RecordedEvent<E>,
      ),
    },
  };
}

function shapeProblem(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    return 'not a commit: expected an object with revision and events';
  const { revision, events } = payload as Partial<Record<keyof EventCommit, unknown>>;
  if (!Number.isSafeInteger(revision) || (revision as number) < 0)
    return 'not a commit: revision must be a whole number from 0';
  if (!Array.isArray(events) || events.length === 0)
    return 'not a commit: events must be a non-empty list';
  for (const [i, e] of events.entries()) {
    const event = e as Partial<Record<string, unknown>> | null;
    if (typeof event !== 'object' || event === null || Array.isArray(event))
      return `not a commit: event ${i} is not an object`;
    if (typeof event.id !== 'string' || event.id === '')
      return `not a commit: event ${i} has no id`;
    if (typeof event.type !== 'string' || event.type === '')
      return `not a commit: event ${i} has no type`;
    if (!('data' in event)) return `not a commit: event ${i} has no data`;
  }
  return undefined;
}
