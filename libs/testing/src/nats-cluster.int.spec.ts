import { existsSync } from 'node:fs';
import { jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from './eventually.ts';
import { startNatsCluster, type NatsCluster } from './nats-cluster.ts';

describe('startNatsCluster', () => {
  let cluster: NatsCluster | undefined;
  afterAll(async () => cluster?.remove());

  it('runs three JetStream nodes on their own ports and stores; a stream with 3 replicas loses nothing when one node is killed', async () => {
    cluster = await startNatsCluster({ nodes: 3 });
    const { nodes } = cluster;
    expect(nodes.map((n) => n.name)).toEqual(['n1', 'n2', 'n3']);
    expect(new Set(nodes.map((n) => n.port)).size).toBe(3);
    expect(nodes.map((n) => n.port)).not.toContain(4222);
    expect(new Set(nodes.map((n) => n.storeDir)).size).toBe(3);
    expect(cluster.url.split(',')).toEqual(nodes.map((n) => n.url));

    const nc = await connect({
      servers: cluster.url.split(','),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
    });
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.add({
      name: 'T',
      subjects: ['t.>'],
      num_replicas: 3,
      storage: StorageType.File,
    });
    expect(info.cluster?.replicas).toHaveLength(2);
    const js = jetstream(nc);
    for (let i = 0; i < 10; i++) await js.publish(`t.${i}`, `before ${i}`);

    // The stream's leader is the node to lose: the others must elect another and go on.
    const leader = nodes.find((n) => n.name === info.cluster?.leader);
    expect(leader).toBeDefined();
    await leader?.kill();
    await eventually(
      () =>
        js.publish('t.after.0', 'after 0', { timeout: 2000, msgID: 'after-0' }).then(
          () => true,
          () => false,
        ),
      'publish once a new leader is elected',
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    for (let i = 1; i < 10; i++) await js.publish(`t.after.${i}`, `after ${i}`);

    // Every message, by its sequence, from the stream's (new) leader.
    const read = async () => {
      const texts: string[] = [];
      const { state } = await jsm.streams.info('T');
      for (let seq = state.first_seq; seq <= state.last_seq; seq++)
        texts.push((await jsm.streams.getMessage('T', { seq }))?.string() ?? `missing ${seq}`);
      return texts;
    };
    const expected = [
      ...Array.from({ length: 10 }, (_, i) => `before ${i}`),
      ...Array.from({ length: 10 }, (_, i) => `after ${i}`),
    ];
    expect(await read()).toEqual(expected);
    expect((await jsm.streams.info('T')).state.messages).toBe(20);

    // Back again, the node catches up from the others.
    await leader?.restart();
    const direct = await connect({ servers: leader?.url ?? '' });
    await eventually(
      async () =>
        (await jsm.streams.info('T')).cluster?.replicas?.filter((r) => r.current && !r.offline)
          .length === 2,
      'every replica current',
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect((await (await jetstreamManager(direct)).streams.info('T')).state.messages).toBe(20);
    await direct.close();
    await nc.close();

    const dir = nodes[0]?.storeDir ?? '';
    await cluster.remove();
    cluster = undefined;
    expect(existsSync(dir)).toBe(false);
  });
});
