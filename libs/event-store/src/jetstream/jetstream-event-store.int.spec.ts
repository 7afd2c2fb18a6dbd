import { jetstream } from '@nats-io/jetstream';
import { describe, expect, it, vi } from 'vitest';
import type { ReadResult, UnreadableCommit } from '../port.ts';
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

describe('a JetStream store client that follows a category', () => {
  it('reads a stream others appended to, as they appended, with one request', async () => {
    const nats = await natsWithEventStream();
    try {
      const nc = await nats.connect();
      const follower = new JetStreamEventStore(nc, { check: contractCheck });
      const writer = new JetStreamEventStore(await nats.connect(), { check: contractCheck });
      const following = await follower.follow('job');
      const event = (type: string) => ({ type, data: {}, metadata: { by: 'test' } });
      await writer.append('job-a', [event('Created')], 'no-stream');
      await writer.append('job-a', [event('Started'), event('Working')], 0);
      await writer.append('other-a', [event('Elsewhere')], 'no-stream');
      await writer.append('job-a', [event('Done')], 2);
      const requests = async (read: () => Promise<unknown>) => {
        const before = nc.stats().outMsgs;
        const result = await read();
        return { result, requests: nc.stats().outMsgs - before };
      };
      await vi.waitFor(async () => {
        const { result, requests: sent } = await requests(() => follower.read('job-a'));
        expect(sent).toBe(1);
        expect((result as ReadResult).events.map((e) => [e.type, e.revision])).toEqual([
          ['Created', 0],
          ['Started', 1],
          ['Working', 2],
          ['Done', 3],
        ]);
      });
      // Not followed: read whole from the server.
      await writer.append('other-a', [event('More')], 0);
      const other = await requests(() => follower.read('other-a'));
      expect(other.requests).toBeGreaterThan(1);
      expect((other.result as ReadResult).revision).toBe(1);
      await following.close();
    } finally {
      await nats.close();
    }
  });
});
