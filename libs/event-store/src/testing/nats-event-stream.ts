import { jetstreamManager, type StreamConfig } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { STREAMS, streamConfigs } from '@ferry/contracts';
import { startNatsServer } from '@ferry/testing';

/** A real nats-server holding Ferry's event stream as deployments configure it, and connections to it. */
export async function natsWithEventStream(): Promise<{
  connect(): Promise<NatsConnection>;
  close(): Promise<void>;
}> {
  const server = await startNatsServer();
  const connections: NatsConnection[] = [];
  const open = async () => {
    const nc = await connect({ servers: server.url, maxReconnectAttempts: -1 });
    connections.push(nc);
    return nc;
  };
  const events = streamConfigs(1).find((s) => s.name === STREAMS.events);
  await (
    await jetstreamManager(await open())
  ).streams.add(events as unknown as Partial<StreamConfig> & { name: string });
  return {
    connect: open,
    close: async () => {
      await Promise.all(connections.map((nc) => nc.close().catch(() => undefined)));
      await server.remove();
    },
  };
}
