import { AckPolicy, jetstream, jetstreamManager, type Consumer } from '@nats-io/jetstream';
import { STREAMS } from '@ferry/contracts';
import type { NatsConnection } from '@ferry/messaging';

/** The commands the CLI sends on `subject`, taken as the service that handles them would take them. */
export async function sentCommands(
  nc: NatsConnection,
  subject: string,
  durable: string,
): Promise<Consumer> {
  await (
    await jetstreamManager(nc)
  ).consumers.add(STREAMS.commands, {
    durable_name: durable,
    filter_subject: subject,
    ack_policy: AckPolicy.Explicit,
  });
  return jetstream(nc).consumers.get(STREAMS.commands, durable);
}
