import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
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
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const sent = await publishCommand(js, command);
  const durable = `dead-letter-${sent.seq}`;
  await jsm.consumers.add(STREAMS.commands, {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    filter_subject: commandSubject(command),
  });
  try {
    const m = await (await js.consumers.get(STREAMS.commands, durable)).next();
    // The oldest command on the subject not yet taken: this one, unless another was left there.
    if (m?.seq !== sent.seq)
      throw new Error(`${durable} was given ${m?.seq ?? 'nothing'}, not the command`);
    await deadLetter(js, m, reason, { consumer: durable, retryMs: 1_000 });
  } finally {
    await jsm.consumers.delete(STREAMS.commands, durable);
  }
  return (await jsm.streams.info(STREAMS.deadLetters)).state.last_seq;
}
