import type { ExpectedRevision } from './port.ts';

/** Someone appended to the stream since the appender read it (or the stream is not where it thought). */
export class WrongExpectedRevisionError extends Error {
  readonly code = 'CONCURRENCY';
  readonly streamName: string;
  readonly expected: ExpectedRevision;
  readonly actual: number | 'no-stream';
  constructor(streamName: string, expected: ExpectedRevision, actual: number | 'no-stream') {
    super(`stream ${streamName}: expected revision ${expected}, but it is at ${actual}`);
    this.name = 'WrongExpectedRevisionError';
    this.streamName = streamName;
    this.expected = expected;
    this.actual = actual;
  }
}

/** A commit too large for one message: split the work, never half-append it. */
export class CommitTooLargeError extends Error {
  readonly streamName: string;
  readonly bytes: number;
  readonly limit: number;
  constructor(streamName: string, bytes: number, limit: number) {
    super(`stream ${streamName}: a commit of ${bytes} bytes exceeds the limit of ${limit}`);
    this.name = 'CommitTooLargeError';
    this.streamName = streamName;
    this.bytes = bytes;
    this.limit = limit;
  }
}

export class InvalidStreamNameError extends Error {
  constructor(streamName: string) {
    super(
      `invalid stream name '${streamName.slice(0, 200)}': expected <category>-<id>, e.g. migration-job-1`,
    );
    this.name = 'InvalidStreamNameError';
  }
}

/** An event the store's check refuses (its schema, say): never appended, so no reader meets it. */
export class InvalidEventError extends Error {
  readonly code = 'INVALID_EVENT';
  readonly streamName: string;
  readonly eventType: string;
  constructor(streamName: string, eventType: string, problem: string) {
    super(`stream ${streamName}: refusing to append ${eventType.slice(0, 64)}: ${problem}`);
    this.name = 'InvalidEventError';
    this.streamName = streamName;
    this.eventType = eventType;
  }
}

/**
 * A stream holds a commit that cannot be read (undecodable, or failing the check: a buggy writer,
 * or a newer writer's event type): its state is unknown, so nothing is decided on it.
 */
export class UnreadableStreamError extends Error {
  readonly code = 'UNREADABLE';
  readonly streamName: string;
  readonly position: number;
  constructor(streamName: string, position: number, reason: string) {
    super(
      `stream ${streamName} cannot be read: the commit at ${position} is quarantined: ${reason}`,
    );
    this.name = 'UnreadableStreamError';
    this.streamName = streamName;
    this.position = position;
  }
}

/**
 * NATS or JetStream could not do what the store was asked (the server unreachable, a leader being
 * elected, the stream refusing writes): nothing is wrong with the request, and it may be made again.
 */
export class StoreUnavailableError extends Error {
  readonly code = 'STORE_UNAVAILABLE';
  constructor(doing: string, cause: unknown) {
    super(`the event store could not ${doing}: ${(cause as Error)?.message ?? String(cause)}`, {
      cause,
    });
    this.name = 'StoreUnavailableError';
  }
}
