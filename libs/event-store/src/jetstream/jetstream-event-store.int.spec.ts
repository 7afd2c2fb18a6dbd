import { jetstreamManager } from '@nats-io/jetstream';
import { connectNats, provisionStreams, type NatsConnection } from '@ferry/messaging';
import { startNatsServer } from '@ferry/testing';
import { eventStoreContract } from '../testing/event-store-contract.ts';
import { JetStreamEventStore } from './jetstream-event-store.ts';

eventStoreContract('JetStream', async () => {
  const server = await startNatsServer();
  const connections: NatsConnection[] = [];
  const client = async () => {
    const nc = await connectNats({ url: server.url, name: 'contract-test' });
    connections.push(nc);
    return new JetStreamEventStore(nc);
  };
  const store = await client();
  await provisionStreams(await jetstreamManager(connections[0] as NatsConnection));
  return {
    store,
    newClient: client,
    teardown: async () => {
      await Promise.all(connections.map((nc) => nc.close()));
      await server.remove();
    },
  };
});
