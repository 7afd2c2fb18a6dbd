import { createHash } from 'node:crypto';
import { WrongExpectedRevisionError } from './errors.ts';
import type { EventStore, NewEvent, ReadResult } from './port.ts';

/** What the runner needs of a decider (libs/domain's fit): decide, evolve, an initial state. */
export interface DeciderLike<C, E, S> {
  decide(command: C, state: S): readonly E[];
  evolve(state: S, event: E): S;
  /** Many events at once, where `evolve` for each would copy a large state each time. */
  evolveAll?(state: S, events: readonly E[]): S;
  readonly initialState: S;
}

export interface HandleResult<E, S> {
  /** The events this command appended; none when it changed nothing (e.g. a re-delivery). */
  readonly events: readonly E[];
  readonly state: S;
}

/**
 * Load the stream, fold it, decide, append with the expected revision; on a concurrent append,
 * do it all again with the newer state. Domain errors from `decide` pass through unchanged.
 */
export async function handleCommand<
  C extends { metadata: { commandId: string } },
  E extends NewEvent,
  S,
>(
  store: EventStore,
  decider: DeciderLike<C, E, S>,
  streamName: string,
  command: C,
  options: {
    maxConflicts?: number;
    /**
     * Split the decided events into commits of at most this many bytes (each still atomic). Only for
     * deciders that are idempotent by comparing state (not by command id): after a crash between two
     * commits, deciding again yields exactly the events still missing.
     */
    maxCommitBytes?: number;
  } = {},
): Promise<HandleResult<E, S>> {
  const maxConflicts = options.maxConflicts ?? 10;
  for (let conflicts = 0; ; conflicts++) {
    // First on what this process last saw of the stream: the append refuses it if it was stale.
    const { state, revision, decided } = await decideOn(
      store,
      decider,
      streamName,
      command,
      conflicts === 0,
    );
    if (decided.length === 0) return { events: [], state };
    // The same command always yields the same event ids, so a commit sent twice is stored once.
    const withIds = decided.map((e, i) => ({
      ...e,
      id: eventId(streamName, command.metadata.commandId, i),
    }));
    try {
      let expected = revision;
      for (const commit of chunks(withIds, options.maxCommitBytes)) {
        expected = (await store.append(streamName, commit, expected)).nextExpectedRevision;
      }
      return { events: decided, state: evolveAll(decider, state, decided) };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) || conflicts >= maxConflicts) throw error;
    }
  }
}

/**
 * The decision on the stream as this process last saw it (when `seen`) or as it is now. What the
 * stream as seen refuses, or finds nothing to do for, is decided again on the stream as it is now,
 * unless that is what was seen: a stale view never refuses a command or drops it.
 */
async function decideOn<C, E extends NewEvent, S>(
  store: EventStore,
  decider: DeciderLike<C, E, S>,
  streamName: string,
  command: C,
  seen: boolean,
): Promise<{ state: S; revision: ReadResult<E>['revision']; decided: readonly E[] }> {
  const on = ({ events, revision }: ReadResult<E>) => {
    const state = evolveAll(decider, decider.initialState, events as readonly E[]);
    return { state, revision, decided: decider.decide(command, state) };
  };
  const read = await store.read<E>(streamName, { seen });
  if (!seen) return on(read);
  let decision: ReturnType<typeof on> | undefined;
  let refusal: unknown;
  try {
    decision = on(read);
    if (decision.decided.length > 0) return decision;
  } catch (error) {
    refusal = error;
  }
  const now = await store.read<E>(streamName);
  if (now.revision !== read.revision) return on(now);
  if (decision) return decision;
  throw refusal;
}

const evolveAll = <E, S>(decider: DeciderLike<unknown, E, S>, state: S, events: readonly E[]): S =>
  decider.evolveAll
    ? decider.evolveAll(state, events)
    : events.reduce((s, e) => decider.evolve(s, e), state);

function chunks<T>(events: readonly T[], maxBytes: number | undefined): T[][] {
  if (maxBytes === undefined) return [[...events]];
  const out: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const e of events) {
    const bytes = Buffer.byteLength(JSON.stringify(e));
    if (current.length > 0 && size + bytes > maxBytes) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(e);
    size += bytes;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** A UUID-shaped id derived from the stream, the command and the event's place in its commit. */
export function eventId(streamName: string, commandId: string, index: number): string {
  const h = createHash('sha256').update(`${streamName}\n${commandId}\n${index}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
