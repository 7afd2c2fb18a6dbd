/** An event to append: plain data, discriminated on `type`. `id` defaults to a random UUID. */
export interface NewEvent {
  readonly type: string;
  readonly data: unknown;
  readonly metadata?: unknown;
  readonly id?: string;
}

/** An event as stored: with its id, the stream it belongs to, its place there, and its commit's place in the store. */
export type RecordedEvent<E extends NewEvent = NewEvent> = E extends NewEvent ? Stored<E> : never;
type Stored<E extends NewEvent> = Omit<E, 'id'> & {
  readonly eventId: string;
  readonly streamName: string;
  /** 0 for a stream's first event, then 1, 2, ...: no gaps. */
  readonly revision: number;
  /** The commit's global position: increasing across the whole store, shared by a commit's events. */
  readonly position: number;
};

/** Several events appended together: all stored, or none. */
export interface Commit<E extends NewEvent = NewEvent> {
  readonly streamName: string;
  readonly position: number;
  readonly events: readonly RecordedEvent<E>[];
}

/**
 * What the appender believes the stream's last revision is: `no-stream` (it must not exist yet), a
 * revision (its last event must be that one), or `any` (append whatever is there).
 */
export type ExpectedRevision = 'no-stream' | 'any' | number;

export interface AppendResult {
  /** The revision of the last event appended: what the next append expects. */
  readonly nextExpectedRevision: number;
  readonly position: number;
}

export interface ReadResult<E extends NewEvent = NewEvent> {
  readonly events: readonly RecordedEvent<E>[];
  /** The last revision, or `no-stream` when the stream has no events. */
  readonly revision: number | 'no-stream';
}

export interface Subscription<E extends NewEvent = NewEvent> extends AsyncIterable<Commit<E>> {
  close(): Promise<void>;
}

/**
 * A commit a reader skipped because it cannot be read: bytes that do not decode, or an event the
 * store's check refuses (a schema it fails, a type this version does not know).
 */
export interface UnreadableCommit {
  readonly position: number;
  /** Where it was written (the adapter's own address for the stream). */
  readonly subject: string;
  /** The stream it belongs to, when its address names one. */
  readonly streamName: string | null;
  readonly reason: string;
}

/** What the store asks of every event it appends or reads: undefined when acceptable, else why not. */
export type EventCheck = (event: {
  readonly type: string;
  readonly data: unknown;
  readonly metadata?: unknown;
}) => string | undefined;

export interface ReadOptions {
  /**
   * What this client last read or appended of the stream will do, if anything, sparing a round
   * trip: for a decision whose append states the revision it expects, so that a stale one is refused.
   */
  readonly seen?: boolean;
}

/** Which commits to read: those of one category's streams (`migration`), or of one stream. */
export type StreamFilter = { readonly category: string } | { readonly stream: string };

/** The event store: the only place job state comes from. Streams are named `<category>-<id>`. */
export interface EventStore {
  /**
   * Appends atomically, if the stream is where `expected` says (else WrongExpectedRevisionError)
   * and every event passes the store's check (else InvalidEventError).
   */
  append(
    streamName: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult>;
  /** The stream's events; UnreadableStreamError when one of its commits cannot be read. */
  read<E extends NewEvent = NewEvent>(
    streamName: string,
    options?: ReadOptions,
  ): Promise<ReadResult<E>>;
  /**
   * Every commit after `after` (0: from the start) in global order, up to the last one there is now;
   * with a filter, only those of the streams it names. A commit that cannot be read is skipped
   * (and reported as the adapter was told), never thrown: one bad commit stops no reader.
   */
  readAll<E extends NewEvent = NewEvent>(
    after?: number,
    filter?: StreamFilter,
  ): AsyncIterable<Commit<E>>;
  /** Every commit after `after`, then each new one as it is appended, until closed; filtered and skipping like readAll. */
  subscribe<E extends NewEvent = NewEvent>(after?: number, filter?: StreamFilter): Subscription<E>;
}
