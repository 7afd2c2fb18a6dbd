import {
  DeliverPolicy,
  JetStreamApiError,
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { headers, TimeoutError, type NatsConnection } from '@nats-io/transport-node';
import { EVENT_SUBJECT_PREFIX, eventProblem, HEADERS, STREAMS } from '@ferry/contracts';
import { activeTraceparent, counter } from '@ferry/observability';
import {
  CommitTooLargeError,
  InvalidEventError,
  InvalidStreamNameError,
  StoreUnavailableError,
  UnreadableStreamError,
  WrongExpectedRevisionError,
} from '../errors.ts';
import type {
  AppendResult,
  Commit,
  EventCheck,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadOptions,
  ReadResult,
  RecordedEvent,
  StreamFilter,
  Subscription,
  UnreadableCommit,
} from '../port.ts';
import { parseStreamName } from '../stream-names.ts';
import { decodeCommit, encodeCommit, type Decoded } from './codec.ts';
import { Lru } from './lru.ts';

// Creating an ordered consumer takes milliseconds; one that does not answer in this time is asked again.
const ORDERED_CREATE_TIMEOUT_MS = 1_000;
const ORDERED_ATTEMPTS = 5;

// JetStream API error: the subject's last sequence is not the one the publish expected.
const WRONG_LAST_SEQUENCE = 10071;
const HEAD_CACHE_SIZE = 10_000;
// Streams whose whole history is kept after a read or an append (a job's is tens of small events).
const HISTORY_CACHE_SIZE = 1_000;
const READ_STALL_MS = 5_000;

interface Head {
  readonly revision: number;
  readonly seq: number;
}

/** A stream's events up to the commit at `seq`, as read or appended by this process. */
interface History extends Head {
  readonly events: readonly RecordedEvent[];
}

export interface JetStreamEventStoreOptions {
  readonly stream?: string;
  readonly subjectPrefix?: string;
  /** What every event appended or read must pass: Ferry's event schemas unless told otherwise. */
  readonly check?: EventCheck;
  /** Told of each commit a read skipped or refused (besides the ferry_events_quarantined_total count). */
  readonly onUnreadable?: (commit: UnreadableCommit) => void;
}

/**
 * The event stream is the store: appending an event and publishing it are one write. Each commit is
 * one message on `ferry.evt.<category>.<id>`; the expected last subject sequence makes appends
 * optimistic, and the first event's id is the `Nats-Msg-Id`, so a re-sent commit is stored once.
 */
export class JetStreamEventStore implements EventStore {
  private readonly js: JetStreamClient;
  private readonly jsOrdered: JetStreamClient;
  private readonly stream: string;
  private readonly prefix: string;
  // The last known head of each stream this process read or wrote: spares a round trip per append.
  private readonly heads = new Lru<string, Head>(HEAD_CACHE_SIZE);
  // A read asks only for the stream's last commit when it knows what came before (handling a
  // command reads its job several times; a consumer per read cost milliseconds each).
  private readonly histories = new Lru<string, History>(HISTORY_CACHE_SIZE);
  private jsm: Promise<JetStreamManager> | undefined;
  private readonly nc: NatsConnection;
  private readonly check: EventCheck;
  private readonly onUnreadable: ((commit: UnreadableCommit) => void) | undefined;

  constructor(nc: NatsConnection, options: JetStreamEventStoreOptions = {}) {
    this.nc = nc;
    this.check = options.check ?? eventProblem;
    this.onUnreadable = options.onUnreadable;
    this.js = jetstream(nc);
    this.jsOrdered = jetstream(nc, { timeout: ORDERED_CREATE_TIMEOUT_MS });
    this.stream = options.stream ?? STREAMS.events;
    this.prefix = options.subjectPrefix ?? EVENT_SUBJECT_PREFIX;
  }

  append(
    streamName: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    return unavailableAs(`append to ${streamName}`, () =>
      this.appendNow(streamName, events, expected),
    );
  }

  private async appendNow(
    streamName: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const subject = this.subjectOfStream(streamName);
    if (events.length === 0) throw new Error(`stream ${streamName}: nothing to append`);
    for (const { type, data, metadata } of events) {
      // What is stored of it and read back (the id travels beside it).
      const problem = this.check(
        metadata === undefined ? { type, data } : { type, data, metadata },
      );
      if (problem) throw new InvalidEventError(streamName, type, problem);
    }
    for (let attempt = 0; ; attempt++) {
      let head =
        expected === 'no-stream'
          ? null
          : await this.headFor(streamName, subject, expected === 'any' || attempt > 0);
      // The cached head may be behind another process's appends: look again before calling it a conflict.
      if (typeof expected === 'number' && head?.revision !== expected && attempt === 0)
        head = await this.headFor(streamName, subject, true);
      if (typeof expected === 'number' && head?.revision !== expected) {
        throw new WrongExpectedRevisionError(streamName, expected, head?.revision ?? 'no-stream');
      }
      const first = head === null ? 0 : head.revision + 1;
      const { bytes, ids } = encodeCommit(first, events);
      const limit = this.nc.info?.max_payload ?? 1024 * 1024;
      if (bytes.byteLength > limit - 1024)
        throw new CommitTooLargeError(streamName, bytes.byteLength, limit - 1024);
      const last = first + events.length - 1;
      const h = headers();
      h.set(HEADERS.revision, String(last));
      // The span that decided these events: whoever reacts to them (the process manager) continues its trace.
      const traceparent = activeTraceparent();
      if (traceparent) h.set(HEADERS.traceparent, traceparent);
      try {
        const ack = await this.js.publish(subject, bytes, {
          msgID: ids[0] as string,
          expect: { lastSubjectSequence: head?.seq ?? 0 },
          headers: h,
        });
        if (ack.duplicate) return this.alreadyStored(streamName, ack.seq);
        this.heads.set(streamName, { revision: last, seq: ack.seq });
        // Decoded as a read would: what this process knew of the stream, with this commit.
        const appended = decodeCommit(streamName, ack.seq, bytes);
        if (appended.ok) this.learn(appended.commit);
        return { nextExpectedRevision: last, position: ack.seq };
      } catch (error) {
        if (!(error instanceof JetStreamApiError && error.code === WRONG_LAST_SEQUENCE))
          throw error;
        this.forget(streamName);
        // A stale cache is retried once with the real head; a real conflict is the caller's to resolve.
        if (expected === 'no-stream') {
          throw new WrongExpectedRevisionError(
            streamName,
            expected,
            (await this.headFor(streamName, subject, true))?.revision ?? 'no-stream',
          );
        }
        if (typeof expected === 'number' && attempt > 0) {
          throw new WrongExpectedRevisionError(
            streamName,
            expected,
            (await this.headFor(streamName, subject, true))?.revision ?? 'no-stream',
          );
        }
      }
    }
  }

  /** A re-sent commit was stored once already: answer with where it was stored. */
  private async alreadyStored(streamName: string, seq: number): Promise<AppendResult> {
    this.forget(streamName);
    const stored = await (await this.manager()).direct.getMessage(this.stream, { seq });
    return { nextExpectedRevision: Number(stored?.header.get(HEADERS.revision)), position: seq };
  }

  read<E extends NewEvent = NewEvent>(
    streamName: string,
    options: ReadOptions = {},
  ): Promise<ReadResult<E>> {
    const seen = options.seen ? this.histories.get(streamName) : undefined;
    if (seen)
      return Promise.resolve({
        events: seen.events as readonly RecordedEvent<E>[],
        revision: seen.revision,
      });
    return unavailableAs(`read ${streamName}`, () => this.readNow<E>(streamName));
  }

  private async readNow<E extends NewEvent>(streamName: string): Promise<ReadResult<E>> {
    const subject = this.subjectOfStream(streamName);
    const last = await (
      await this.manager()
    ).direct.getMessage(this.stream, { last_by_subj: subject });
    if (!last) {
      this.forget(streamName);
      return { events: [], revision: 'no-stream' };
    }
    const lastCommit = this.readable<E>(
      streamName,
      last.seq,
      subject,
      decodeCommit<E>(streamName, last.seq, last.data, this.check),
    );
    const revision = lastCommit.events.at(-1)?.revision ?? 0;
    // A stream of one commit, or one commit after what this process knows: read by that one request.
    this.learn(lastCommit);
    const known = this.histories.get(streamName);
    // What this process saw stored is never older than the server's answer: once (CI, under load) a
    // direct get named an earlier last message than one already delivered, and a read from there waited
    // for messages that were behind it.
    if (known && known.seq >= last.seq) {
      this.heads.set(streamName, { revision: known.revision, seq: known.seq });
      return { events: known.events as readonly RecordedEvent<E>[], revision: known.revision };
    }
    const head = { revision, seq: last.seq };
    this.heads.set(streamName, head);
    const events = known ? [...(known.events as readonly RecordedEvent<E>[])] : [];
    for await (const m of this.messages(subject, known?.seq ?? 0, last.seq, true))
      events.push(...this.readable<E>(streamName, m.seq, subject, this.decode<E>(m)).events);
    // Revisions have no gaps: a history with one is a read cut short, never a stream to decide on
    // (nor one to remember, since the next commit would be learnt on top of it).
    const gap = events.findIndex((e, i) => e.revision !== i);
    if (gap >= 0 || events.length !== revision + 1) {
      this.forget(streamName);
      throw new Error(
        `reading ${subject} up to ${last.seq} gave ${events.length} events, not revisions 0 to ${revision} in order: cut short`,
      );
    }
    this.histories.set(streamName, { ...head, events });
    return { events, revision };
  }

  private forget(streamName: string): void {
    this.heads.delete(streamName);
    this.histories.delete(streamName);
  }

  readAll<E extends NewEvent = NewEvent>(
    after = 0,
    filter?: StreamFilter,
  ): AsyncIterable<Commit<E>> {
    const subject = this.subjectOf(filter);
    return { [Symbol.asyncIterator]: () => this.allCommitsAfter<E>(after, subject) };
  }

  subscribe<E extends NewEvent = NewEvent>(after = 0, filter?: StreamFilter): Subscription<E> {
    const subject = this.subjectOf(filter);
    let closed = false;
    let stop: (() => Promise<void>) | undefined;
    const live = async function* (this: JetStreamEventStore): AsyncGenerator<Commit<E>> {
      const consumer = await this.ordered(subject, after);
      const messages = await consumer.consume({ max_messages: 512 });
      stop = async () => void (await messages.close());
      if (closed) await stop();
      for await (const m of messages) {
        const commit = this.skipUnreadable<E>(m);
        if (commit) yield commit;
      }
    };
    return {
      close: async () => {
        closed = true;
        await stop?.();
      },
      [Symbol.asyncIterator]: () => live.call(this),
    };
  }

  private async *allCommitsAfter<E extends NewEvent>(
    after: number,
    subject: string,
  ): AsyncGenerator<Commit<E>> {
    const { state } = await (await this.manager()).streams.info(this.stream);
    if (state.last_seq <= after) return;
    for await (const m of this.messages(subject, after, state.last_seq)) {
      const commit = this.skipUnreadable<E>(m);
      if (commit) yield commit;
    }
  }

  /**
   * The messages on `subject` after sequence `after`, up to and including `until` (`reaching`: the
   * one at `until` is known to be on `subject`, so the read goes on until it comes). The consumer may
   * sit on a replica behind the one that named `until` (one restarted and catching up): what it
   * calls nothing pending is then not the end of the stream.
   */
  private async *messages(
    subject: string,
    after: number,
    until: number,
    reaching = false,
  ): AsyncGenerator<JsMsg> {
    const consumer = await this.ordered(subject, after);
    // A filter may match nothing up to `until`: the consumer says so rather than waiting for a message.
    if (!reaching && (await consumer.info(true)).num_pending === 0) return;
    const messages = await consumer.consume({ max_messages: 1024 });
    // A consumer whose server went away may never deliver again: a read has a deadline per message.
    const stall = () => void messages.close();
    let timer = setTimeout(stall, READ_STALL_MS);
    let reached = after;
    try {
      for await (const m of messages) {
        clearTimeout(timer);
        reached = m.seq;
        yield m;
        if (m.seq >= until || (!reaching && m.info.pending === 0)) return;
        timer = setTimeout(stall, READ_STALL_MS);
      }
    } finally {
      clearTimeout(timer);
      await messages.close();
    }
    // Ended before the last message: never a part of a stream taken for the whole of it.
    throw new Error(
      `reading ${subject} stopped at ${reached} of ${until}: no message for ${READ_STALL_MS} ms`,
    );
  }

  /**
   * An ordered consumer of `subject` from `after`. nats-server 2.9 may place this R1 consumer on a
   * peer that crashed and is not yet seen as offline (SIGKILL, a power cut): that creation never
   * answers. So it is asked for with a short timeout, and again (elsewhere, most likely) when it
   * times out, rather than failing the read after the client's 5 s.
   */
  private async ordered(subject: string, after: number) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.jsOrdered.consumers.get(this.stream, this.orderedFrom(subject, after));
      } catch (error) {
        if (!(error instanceof TimeoutError) || attempt >= ORDERED_ATTEMPTS) throw error;
      }
    }
  }

  private orderedFrom(subject: string, after: number) {
    return after === 0
      ? { filter_subjects: subject, deliver_policy: DeliverPolicy.All }
      : {
          filter_subjects: subject,
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: after + 1,
        };
  }

  private decode<E extends NewEvent>(m: JsMsg): Decoded<E> {
    return decodeMessage<E>(m, this.check);
  }

  /**
   * The commit a message of the event stream holds (for consumers of FERRY_EVT of their own), or
   * undefined after reporting why it cannot be read, as every read of this store does.
   */
  commitOf<E extends NewEvent>(m: JsMsg): Commit<E> | undefined {
    const commit = this.skipUnreadable<E>(m);
    if (commit) this.learn(commit);
    return commit;
  }

  /**
   * Learns the commits of a category's streams as they are stored (until closed), so that reading
   * one of those streams takes one request: a stage service follows its jobs, whose commands come
   * right after their events.
   */
  async follow(category: string): Promise<{ close(): Promise<void> }> {
    let after = (await (await this.manager()).streams.info(this.stream)).state.last_seq;
    let subscription: Subscription | undefined;
    let closed = false;
    void (async () => {
      while (!closed) {
        subscription = this.subscribe(after, { category });
        try {
          for await (const commit of subscription) {
            after = commit.position;
            this.learn(commit);
          }
        } catch {
          // Followed again in a moment: until then, reads ask the server.
        }
        if (!closed) await new Promise((r) => setTimeout(r, 1_000));
      }
    })();
    return {
      close: async () => {
        closed = true;
        await subscription?.close();
      },
    };
  }

  /**
   * A commit that is its stream's first, or comes right after what this client knows of the stream
   * (revisions have no gaps): known too. Any other leaves the history as it was, for a read to mend.
   */
  private learn(commit: Commit): void {
    const known = this.histories.get(commit.streamName);
    if (known && known.seq >= commit.position) return;
    const first = commit.events[0]?.revision;
    const before = first === 0 ? [] : known?.revision === (first ?? 0) - 1 ? known.events : null;
    if (before === null) return;
    const events = [...before, ...commit.events];
    this.histories.set(commit.streamName, {
      revision: events.length - 1,
      seq: commit.position,
      events,
    });
  }

  /** The message's commit, or undefined after reporting why it cannot be read. */
  private skipUnreadable<E extends NewEvent>(m: JsMsg): Commit<E> | undefined {
    const decoded = this.decode<E>(m);
    if (decoded.ok) return decoded.commit;
    this.report({
      position: m.seq,
      subject: m.subject,
      streamName: streamNameOf(m.subject),
      reason: decoded.reason,
    });
    return undefined;
  }

  /** A commit of a stream being read whole: one that cannot be read makes the stream unreadable. */
  private readable<E extends NewEvent>(
    streamName: string,
    position: number,
    subject: string,
    decoded: Decoded<E>,
  ): Commit<E> {
    if (decoded.ok) return decoded.commit;
    this.report({ position, subject, streamName, reason: decoded.reason });
    throw new UnreadableStreamError(streamName, position, decoded.reason);
  }

  private report(commit: UnreadableCommit): void {
    counter(
      'ferry_events_quarantined_total',
      'Commits of the event store that could not be read (undecodable, failing their schema, of an unknown type) and were skipped.',
    ).inc();
    this.onUnreadable?.(commit);
  }

  private async headFor(streamName: string, subject: string, fresh: boolean): Promise<Head | null> {
    const cached = this.heads.get(streamName);
    if (cached && !fresh) return cached;
    const last = await (
      await this.manager()
    ).direct.getMessage(this.stream, { last_by_subj: subject });
    if (!last) return null;
    const revision = Number(last.header.get(HEADERS.revision) || Number.NaN);
    // Written by something else than this store (no revision header): what comes next is unknown.
    if (!Number.isSafeInteger(revision))
      throw new UnreadableStreamError(streamName, last.seq, `no ${HEADERS.revision} header`);
    const head = { revision, seq: last.seq };
    this.heads.set(streamName, head);
    return head;
  }

  // One subject per filter: several (filter_subjects) would need nats-server 2.10, and Debian 12 has 2.9.
  private subjectOf(filter: StreamFilter | undefined): string {
    if (filter === undefined) return `${this.prefix}.>`;
    if ('stream' in filter) return this.subjectOfStream(filter.stream);
    // Checked as a stream name would be, so that the category cannot widen the filter.
    parseStreamName(`${filter.category}-x`);
    return `${this.prefix}.${filter.category}.*`;
  }

  private subjectOfStream(streamName: string): string {
    const { category, id } = parseStreamName(streamName);
    return `${this.prefix}.${category}.${id}`;
  }

  private manager(): Promise<JetStreamManager> {
    // Made once; one that failed (the server slow to answer) is asked for again next time.
    this.jsm ??= jetstreamManager(this.nc).catch((error: unknown) => {
      this.jsm = undefined;
      throw error;
    });
    return this.jsm;
  }
}

// What the store itself says of a request; anything else thrown while doing it is NATS not answering.
const OWN_ERRORS = [
  WrongExpectedRevisionError,
  CommitTooLargeError,
  InvalidEventError,
  InvalidStreamNameError,
  UnreadableStreamError,
];

async function unavailableAs<T>(doing: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (OWN_ERRORS.some((own) => error instanceof own)) throw error;
    throw new StoreUnavailableError(doing, error);
  }
}

/** The commit a message of the event stream holds, or why it cannot be read: a subject that names no stream cannot. */
function decodeMessage<E extends NewEvent>(
  m: Pick<JsMsg, 'subject' | 'seq' | 'data'>,
  check: EventCheck = eventProblem,
): Decoded<E> {
  const streamName = streamNameOf(m.subject);
  if (streamName === null)
    return { ok: false, reason: `${m.subject.slice(0, 200)} names no <category>.<id> stream` };
  return decodeCommit<E>(streamName, m.seq, m.data, check);
}

/** `ferry.evt.<category>.<id>` → `<category>-<id>`; null for a subject of any other shape. */
function streamNameOf(subject: string): string | null {
  const [, , category, id, ...more] = subject.split('.');
  if (!category || !id || more.length > 0) return null;
  try {
    parseStreamName(`${category}-${id}`);
    return `${category}-${id}`;
  } catch {
    return null;
  }
}
