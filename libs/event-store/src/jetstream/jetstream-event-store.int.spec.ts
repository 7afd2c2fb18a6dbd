import { jetstream } from '@nats-io/jetstream';
import type { UnreadableCommit } from '../port.ts';
import { contractCheck, eventStoreContract } from '../testing/event-store-contract.ts';
import { natsWithEventStream } from '../testing/nats-event-stream.ts';
import { JetStreamEventStore } from './jetstream-event-store.ts';

eventStoreContract('JetStream', async () => {
  const nats = await natsWithEventStream();
  const unreadable: UnreadableCommit[] = [];
  const client = async () =>
    new JetStreamEventStore(await nats.connect(), {
      check: contractCheck,
      onUnreadable: (u) => unreadable.push(u),
    });
  const raw = jetstream(await nats.connect());
  return {
    store: await client(),
    newClient: client,
    unreadable,
    // A plain publish on the stream's subject: no revision header, no expected sequence.
    poison: async (streamName, bytes) => {
      const [category, ...id] = streamName.split('-');
      await raw.publish(`ferry.evt.${category}.${id.join('-')}`, bytes);
    },
    teardown: nats.close,
  };
});
