import { jetstreamManager } from '@nats-io/jetstream';
import { connectNats, provisionStreams, type NatsConnection } from '@ferry/messaging';
import { startNatsServer, type NatsServer } from '@ferry/testing';

/** A real nats-server with Ferry's streams, and connections to it that `close` ends. */
export async function natsWithStreams(): Promise<{
  server: NatsServer;
  connect(): Promise<NatsConnection>;
  close(): Promise<void>;
}> {
  const server = await startNatsServer();
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
