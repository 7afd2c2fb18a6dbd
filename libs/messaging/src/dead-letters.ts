import type { JetStreamClient, JetStreamManager, StoredMsg } from '@nats-io/jetstream';

import { EVENT_SUBJECT_PREFIX, HEADERS, STREAMS } from '@ferry/contracts';

/** A command set aside in FERRY_DLQ, as an operator reads it. */
export interface DeadLetter {
  readonly seq: number;
  readonly at: string;
  /** Where it was sent, and where a replay sends it again. */
  readonly subject: string;
  readonly type: string | null;
  readonly jobId: string | null;
  readonly commandId: string | null;
  readonly deliveries: number | null;
  readonly reason: string;
}

/** How many dead letters FERRY_DLQ holds, and the last `last` of them, oldest first. */
export async function listDeadLetters(
  jsm: JetStreamManager,
  last: number,
): Promise<{ readonly count: number; readonly letters: DeadLetter[] }> {
  const { state } = await jsm.streams.info(STREAMS.deadLetters);
  const letters: DeadLetter[] = [];
  for (
    // An empty stream that never held one says first_seq 0, which no message has.
    let seq = Math.max(state.first_seq, state.last_seq - last + 1, 1);
    seq <= state.last_seq;
    seq++
  ) {
    const m = await jsm.streams.getMessage(STREAMS.deadLetters, { seq }); // replayed ones are gone
    if (m) letters.push(describe(m));
  }
  return { count: state.messages, letters };
}

/** A dead letter that must not be sent again, and why. */
export class NotReplayableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotReplayableError';
  }
}

/**
 * Sends dead letter `seq` again where it was sent (once: its msgID dedupes a second replay), then
 * removes it from FERRY_DLQ; undefined when there is no such dead letter. An event (one the process
 * manager could not react to) is refused: it is in the event store already, and sent again there it
 * would be stored twice, its job's history broken.
 */
export async function replayDeadLetter(
  js: JetStreamClient,
  jsm: JetStreamManager,
  seq: number,
): Promise<{ readonly letter: DeadLetter; readonly replayedAs: number } | undefined> {
  const m = await jsm.streams.getMessage(STREAMS.deadLetters, { seq });
  if (!m) return undefined;
  const letter = describe(m);
  if (letter.subject.startsWith(`${EVENT_SUBJECT_PREFIX}.`))
    throw new NotReplayableError(
      `dead letter ${seq} is an event of the store (${letter.subject}), not a command: it is stored already, and sending it again would store it twice. ` +
        `Its job${letter.jobId ? ` ${letter.jobId}` : ''} did not go on from it: the watchdog fails the job when its stage's time is up; or cancel, retry or roll it back (ferry cancel|retry|rollback JOB), as its state allows.`,
    );
  // Sent again before it is removed: a replay cut short leaves it listed, never lost.
  const ack = await js.publish(letter.subject, m.data, { msgID: `replay-dlq-${seq}` });
  await jsm.streams.deleteMessage(STREAMS.deadLetters, seq, false);
  return { letter, replayedAs: ack.seq };
}

interface Message {
  readonly type?: unknown;
  readonly data?: { readonly jobId?: unknown } | null;
  readonly metadata?: { readonly commandId?: unknown } | null;
}

/**
 * What a dead letter says of itself: its headers, and the command it holds where it is one (or
 * the first event of the commit, where it is an event).
 */
function describe(m: StoredMsg): DeadLetter {
  const header = (name: string) => m.header.get(name) || null;
  let body: (Message & { readonly events?: unknown }) | null = null;
  try {
    body = m.json();
  } catch {
    // not JSON: listed by its subject
  }
  const held: Message | null = Array.isArray(body?.events)
    ? (body.events[0] as Message | null)
    : body;
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  const deliveries = Number(header(HEADERS.deadLetterDeliveries));
  return {
    seq: m.seq,
    at: m.time.toISOString(),
    subject: header(HEADERS.deadLetterSubject) ?? m.subject,
    type: text(held?.type),
    jobId: text(held?.data?.jobId),
    commandId: text(held?.metadata?.commandId),
    deliveries: Number.isInteger(deliveries) && deliveries > 0 ? deliveries : null,
    reason: header(HEADERS.deadLetterReason) ?? '',
  };
}
