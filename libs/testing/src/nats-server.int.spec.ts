import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { startNatsServer } from './nats-server.ts';

describe('startNatsServer', () => {
  const started: { remove(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const s of started) await s.remove();
  });

  it('starts a JetStream server on its own port and store, which survives a restart', async () => {
    const server = await startNatsServer();
    started.push(server);
    expect(server.port).not.toBe(4222);
    const nc = await connect({ servers: server.url });
    // The version deployments run with sync_interval: always (2.9 refuses the setting outright).
    expect(
      (nc.info?.version ?? '').localeCompare('2.10.23', 'en', { numeric: true }),
    ).toBeGreaterThanOrEqual(0);
    expect(readFileSync(join(server.storeDir, 'nats.conf'), 'utf8')).toMatch(
      /sync_interval: always/,
    );
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'T', subjects: ['t.>'] });
    await jetstream(nc).publish('t.1', 'hello');
    await nc.close();

    await server.restart();
    const again = await connect({ servers: server.url });
    const info = await (await jetstreamManager(again)).streams.info('T');
    expect(info.state.messages).toBe(1);
    await again.close();
  });

  it('two servers never share a port or a store, and remove deletes the store', async () => {
    const [a, b] = await Promise.all([startNatsServer(), startNatsServer()]);
    expect(a.port).not.toBe(b.port);
    expect(a.storeDir).not.toBe(b.storeDir);
    await a.remove();
    await b.remove();
    expect(existsSync(a.storeDir)).toBe(false);
  });
});
