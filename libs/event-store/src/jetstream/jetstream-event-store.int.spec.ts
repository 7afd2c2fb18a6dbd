import { eventStoreContract } from '../testing/event-store-contract.ts';
import { natsWithStreams } from '../testing/nats-fixture.ts';
import { JetStreamEventStore } from './jetstream-event-store.ts';

eventStoreContract('JetStream', async () => {
  const nats = await natsWithStreams();
  const client = async () => new JetStreamEventStore(await nats.connect());
  return { store: await client(), newClient: client, teardown: nats.close };
});
