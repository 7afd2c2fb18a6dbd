import { AckPolicy, jetstream, jetstreamManager, type Consumer } from '@nats-io/jetstream';
import { STREAMS } from '@ferry/contracts';
import { JetStreamEventStore } from '@ferry/event-store';
import { natsWithStreams } from '@ferry/stages/testing';

/** Where a CLI test runs `ferry`: its own NATS with Ferry's streams, the store, and what the CLI sends. */
export interface CommandBench {
  /** The environment `ferry` runs in. */
  readonly env: Record<string, string>;
  readonly store: JetStreamEventStore;
  /** The commands the CLI sends on the subject, taken as the service that handles them would take them. */
  readonly commands: Consumer;
  close(): Promise<void>;
}

export async function commandBench(subject: string, durable: string): Promise<CommandBench> {
  const nats = await natsWithStreams();
  const nc = await nats.connect();
  await (
    await jetstreamManager(nc)
  ).consumers.add(STREAMS.commands, {
    durable_name: durable,
    filter_subject: subject,
    ack_policy: AckPolicy.Explicit,
  });
  return {
    env: { NATS_URL: nats.server.url },
    store: new JetStreamEventStore(nc),
    commands: await jetstream(nc).consumers.get(STREAMS.commands, durable),
    close: () => nats.close(),
  };
}
