import type { Commit, EventStore, NewEvent, RecordedEvent } from './port.ts';

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

/**
 * Feeds the projection every commit after its checkpoint, then each new one, until `signal` aborts.
 * One commit at a time, and the checkpoint is stored only after the projection has handled it.
 */
export async function runProjection<E extends NewEvent>(
  store: EventStore,
  checkpoints: CheckpointStore,
  projection: Projection<E>,
  signal: AbortSignal,
): Promise<void> {
  const subscription = store.subscribe<E>(await checkpoints.load(projection.name));
  const stop = () => void subscription.close();
  signal.addEventListener('abort', stop, { once: true });
  try {
    for await (const commit of subscription) {
      await projection.handle(commit);
      await checkpoints.store(projection.name, commit.position);
      if (signal.aborted) break;
    }
  } finally {
    signal.removeEventListener('abort', stop);
    await subscription.close();
  }
}

/** Builds the read model from nothing: every commit from position 0, no checkpoint. */
export async function rebuildProjection<E extends NewEvent>(
  store: EventStore,
  projection: Projection<E>,
): Promise<number> {
  let position = 0;
  for await (const commit of store.readAll<E>(0)) {
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
