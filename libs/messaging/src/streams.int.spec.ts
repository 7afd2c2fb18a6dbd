import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { STREAMS } from '@ferry/contracts';
import { startNatsServer, type NatsServer } from '@ferry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats, type NatsConnection } from './connection.ts';
import { provisionStreams } from './streams.ts';

describe('provisionStreams', () => {
  let server: NatsServer;
  let nc: NatsConnection;
  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connectNats({ url: server.url, name: 'provision-test' });
  });
  afterAll(async () => {
    await nc.close();
    await server.remove();
  });

  it('is idempotent, even when several services start at once', async () => {
    const clients = await Promise.all(
      [1, 2, 3].map(() => connectNats({ url: server.url, name: 'replica' })),
    );
    await Promise.all(clients.map(async (c) => provisionStreams(await jetstreamManager(c))));
    await provisionStreams(await jetstreamManager(nc));
    const jsm = await jetstreamManager(nc);
    const names: string[] = [];
    for await (const s of jsm.streams.list()) names.push(s.config.name);
    expect(names.sort()).toEqual(Object.values(STREAMS).sort());
    await Promise.all(clients.map((c) => c.close()));
  });

  it('makes the event stream append-only: no message can be deleted, the stream cannot be purged', async () => {
    const jsm = await jetstreamManager(nc);
    await provisionStreams(jsm);
    const ack = await jetstream(nc).publish('ferry.evt.test.x', '{}');
    await expect(jsm.streams.deleteMessage(STREAMS.events, ack.seq)).rejects.toThrow();
    await expect(jsm.streams.purge(STREAMS.events)).rejects.toThrow();
    expect((await jsm.streams.info(STREAMS.events)).state.messages).toBe(1);
  });

  it("brings a stream that drifted back to Ferry's settings", async () => {
    const jsm = await jetstreamManager(nc);
    await provisionStreams(jsm);
    const info = await jsm.streams.info(STREAMS.deadLetters);
    await jsm.streams.update(STREAMS.deadLetters, { ...info.config, max_age: 3_600_000_000_000 });
    await provisionStreams(jsm);
    expect((await jsm.streams.info(STREAMS.deadLetters)).config.max_age).toBe(
      30 * 24 * 3600 * 1_000_000_000,
    );
  });

  it('refuses to take over a stream with another retention, saying so', async () => {
    const other = await startNatsServer();
    const c = await connectNats({ url: other.url, name: 'x' });
    const jsm = await jetstreamManager(c);
    await jsm.streams.add({ name: STREAMS.commands, subjects: ['ferry.cmd.>'] });
    await expect(provisionStreams(jsm)).rejects.toThrow(
      /stream FERRY_CMD exists with retention limits; Ferry needs workqueue/,
    );
    await c.close();
    await other.remove();
  });
});
