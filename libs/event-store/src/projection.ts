import type { Commit, EventStore, NewEvent, RecordedEvent, StreamFilter } from './port.ts';

/** Where a projection has got to: the position of the last commit it finished. */
export interface CheckpointStore {
  load(projection: string): Promise<number>;
  store(projection: string, position: number): Promise<void>;
}

/** A read model fed one commit at a time. */
export interface Projection<E extends NewEvent = NewEvent> {
  readonly name: string;
  handle(commit: Commit<E>): Promise<void> | void;
}

export interface CheckpointPolicy {
  /** Store the checkpoint after this many handled commits... */
  readonly commits: number;
  /** ...or when this long has passed since the last one, whichever comes first; and always on stop. */
  readonly ms: number;
}

/**
 * Feeds the projection every commit after its checkpoint, then each new one, until `signal` aborts.
 * One commit at a time, and the checkpoint is stored only after the projection has handled it. It is
 * stored every so often rather than after every commit (a replay of the whole store would otherwise
 * wait on a KV write per commit); after a crash the commits since then come again, which an
 * idempotent view (see `streamView`) ignores.
 */
export async function runProjection<E extends NewEvent>(
  store: EventStore,
  checkpoints: CheckpointStore,
  projection: Projection<E>,
  signal: AbortSignal,
  policy: CheckpointPolicy = { commits: 1_000, ms: 200 },
): Promise<void> {
  const subscription = store.subscribe<E>(await checkpoints.load(projection.name));
  const stop = () => void subscription.close();
  signal.addEventListener('abort', stop, { once: true });
  let handled = 0;
  let stored = 0;
  let storedAt = Date.now();
  let last: number | undefined;
  try {
    for await (const commit of subscription) {
      await projection.handle(commit);
      last = commit.position;
      if (++handled - stored >= policy.commits || Date.now() - storedAt >= policy.ms) {
        await checkpoints.store(projection.name, last);
        stored = handled;
        storedAt = Date.now();
      }
      if (signal.aborted) break;
    }
  } finally {
    signal.removeEventListener('abort', stop);
    await subscription.close();
    if (last !== undefined && stored !== handled) await checkpoints.store(projection.name, last);
  }
}

/** Builds the read model from nothing: every commit (of the streams the filter names) from position 0, no checkpoint. */
export async function rebuildProjection<E extends NewEvent>(
  store: EventStore,
  projection: Projection<E>,
  filter?: StreamFilter,
): Promise<number> {
  let position = 0;
  for await (const commit of store.readAll<E>(0, filter)) {
    await projection.handle(commit);
    position = commit.position;
  }
  return position;
}

/**
 * A read model of one state per stream, folded with `evolve`. Idempotent: a commit applies only
 * when it follows the revision the model holds, so a commit seen twice changes nothing.
 */
export function streamView<E extends NewEvent, S>(options: {
  name: string;
  accepts: (streamName: string) => boolean;
  initialState: S;
  evolve: (state: S, event: RecordedEvent<E>) => S;
}) {
  const states = new Map<string, { revision: number; state: S }>();
  const projection: Projection<E> = {
    name: options.name,
    handle(commit) {
      if (!options.accepts(commit.streamName)) return;
      const current = states.get(commit.streamName) ?? {
        revision: -1,
        state: options.initialState,
      };
      const first = commit.events[0]?.revision ?? 0;
      if (first !== current.revision + 1) return;
      states.set(commit.streamName, {
        revision: first + commit.events.length - 1,
        state: commit.events.reduce(options.evolve, current.state),
      });
    },
  };
  return {
    projection,
    states: states as ReadonlyMap<string, { readonly revision: number; readonly state: S }>,
  };
}
