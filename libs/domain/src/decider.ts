import type { Actor, EventMetadata } from '@ferry/contracts';

/** A pure state machine: `decide` says what happens, `evolve` folds what happened. */
export interface Decider<Command, Event, State> {
  readonly decide: (command: Command, state: State) => readonly Event[];
  readonly evolve: (state: State, event: Event) => State;
  /** Folds many events at once, where `evolve` for each would copy a large state each time. */
  readonly evolveAll?: (state: State, events: readonly Event[]) => State;
  readonly initialState: State;
}

/** Who asked, in which conversation, and when: ids and time come in with the command, never from a clock. */
export interface CommandContext {
  readonly commandId: string;
  readonly correlationId: string;
  readonly causationId?: string;
  /** RFC 3339; becomes the `occurredAt` of the events the command produces. */
  readonly now: string;
  /**
   * Who runs the stage the command belongs to, when it runs under a lease: what it records is
   * accepted only while it holds the job's lease (a lapsed holder's late result is refused).
   */
  readonly holder?: string;
  /** Who asked (see Actor): recorded on every event the command makes. */
  readonly actor?: Actor;
}

export interface DomainCommand<Type extends string, Data> {
  readonly type: Type;
  readonly data: Data;
  readonly metadata: CommandContext;
}

export { decidedFor, decisionId } from '@ferry/contracts';

/** The metadata of every event a command produces. */
export const eventMetadata = (context: CommandContext): EventMetadata => ({
  commandId: context.commandId,
  correlationId: context.correlationId,
  causationId: context.commandId,
  occurredAt: context.now,
  ...(context.actor && { actor: context.actor }),
});

/** The state after a stream of events. */
export const fold = <E, S>(
  decider: Pick<Decider<unknown, E, S>, 'evolve' | 'evolveAll' | 'initialState'>,
  events: readonly E[],
): S =>
  decider.evolveAll
    ? decider.evolveAll(decider.initialState, events)
    : events.reduce(decider.evolve, decider.initialState);
