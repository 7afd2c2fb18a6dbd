import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { commandSubject, STREAMS, type FerryCommand } from '@ferry/contracts';
import type { NatsConnection } from '../connection.ts';
import { deadLetter } from '../dead-letter.ts';
import { publishCommand } from '../publisher.ts';

/**
 * Sets `command` aside in FERRY_DLQ as a worker does after its last failed delivery: the real
 * message, pulled by a consumer of its own (removed after), dead-lettered by the real call. No
 * other consumer may take its subject (FERRY_CMD is a work queue). Needs an admin's connection;
 * resolves with the dead letter's sequence in FERRY_DLQ.
 */
export async function deadLetterCommand(
  nc: NatsConnection,
  command: FerryCommand,
  reason: string,
): Promise<number> {
  const sent = await publishCommand(jetstream(nc), command);
  // A work queue's consumer takes its subject from the oldest message not yet taken: this one.
  return deadLetterMessage(nc, STREAMS.commands, commandSubject(command), sent.seq, reason, false);
}

/**
 * Sets the message at `seq` of `stream` (on `subject`) aside in FERRY_DLQ as a consumer does after
 * its last failed delivery: an event the process manager could not react to, say.
 */
export async function deadLetterMessage(
  nc: NatsConnection,
  stream: string,
  subject: string,
  seq: number,
  reason: string,
  fromSeq = true,
): Promise<number> {
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const durable = `dead-letter-${seq}`;
  await jsm.consumers.add(stream, {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    filter_subject: subject,
    ...(fromSeq ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: seq } : {}),
  });
  try {
    const m = await (await js.consumers.get(stream, durable)).next();
    if (m?.seq !== seq) throw new Error(`${durable} was given ${m?.seq ?? 'nothing'}, not ${seq}`);
    await deadLetter(js, m, reason, { consumer: durable, retryMs: 1_000 });
  } finally {
    await jsm.consumers.delete(stream, durable);
  }
  return (await jsm.streams.info(STREAMS.deadLetters)).state.last_seq;
}
