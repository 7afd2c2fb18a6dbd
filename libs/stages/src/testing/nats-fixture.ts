import { jetstreamManager } from '@nats-io/jetstream';
import { connectNats, provisionStreams, type NatsConnection } from '@ferry/messaging';
import { startNatsServer, type NatsServer } from '@ferry/testing';
import { afterAll, beforeAll } from 'vitest';
import { JetStreamEventStore } from '@ferry/event-store';

/** A real nats-server with Ferry's streams, and connections to it that `close` ends. */
export async function natsWithStreams(
  options: Parameters<typeof startNatsServer>[0] = {},
): Promise<{
  server: NatsServer;
  connect(): Promise<NatsConnection>;
  close(): Promise<void>;
}> {
  const server = await startNatsServer(options);
  const connections: NatsConnection[] = [];
  const connect = async () => {
    const nc = await connectNats({ url: server.url, name: 'test' });
    connections.push(nc);
    return nc;
  };
  await provisionStreams(await jetstreamManager(await connect()));
  return {
    server,
    connect,
    close: async () => {
      await Promise.all(connections.map((nc) => nc.close().catch(() => undefined)));
      await server.remove();
    },
  };
}

/** For a test file: a real nats-server with Ferry's streams and a store client, for all its tests. */
export function storeOnRealNats(): {
  nats: Awaited<ReturnType<typeof natsWithStreams>>;
  store: JetStreamEventStore;
} {
  const fixture = {} as {
    nats: Awaited<ReturnType<typeof natsWithStreams>>;
    store: JetStreamEventStore;
  };
  beforeAll(async () => {
    fixture.nats = await natsWithStreams();
    fixture.store = new JetStreamEventStore(await fixture.nats.connect());
  });
  afterAll(async () => fixture.nats.close());
  return fixture;
}
