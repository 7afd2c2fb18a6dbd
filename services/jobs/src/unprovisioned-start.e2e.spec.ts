import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, describe, expect, it } from 'vitest';
import { STREAMS } from '@ferry/contracts';
import { connectNats, WORKERS } from '@ferry/messaging';
import {
  eventually,
  startBuiltService,
  startNatsServer,
  type RunningService,
} from '@ferry/testing';

describe('workers on a NATS server nobody provisioned (no authorization: they make the streams)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-unprovisioned-'));
  const services: RunningService[] = [];
  let server: Awaited<ReturnType<typeof startNatsServer>> | undefined;
  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await server?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('all start at once, make the streams and their consumers, and keep running', async () => {
    server = await startNatsServer();
    const env = {
      NATS_URL: server.url,
      LOG_DIR: join(dir, 'logs'),
      MIGRATION_OUTPUT_DIR: join(dir, 'out'),
      DISCOVERY_INTERVAL_SECONDS: '3600',
    };
    for (const name of WORKERS) services.push(startBuiltService(name, env));
    const nc = await connectNats({ url: server.url, name: 'test' });
    try {
      const jsm = await jetstreamManager(nc);
      await eventually(
        async () => {
          // Not there yet, until a worker has made it.
          const consumers = await jsm.consumers
            .list(STREAMS.commands)
            .next()
            .catch(() => []);
          return consumers.length === WORKERS.length;
        },
        'every worker consuming its commands',
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      const streams = (await jsm.streams.names().next()).sort();
      expect(streams).toEqual(Object.values(STREAMS).sort());
      // Still running a moment later: none gave up on a stream it looked for too early.
      await new Promise((r) => setTimeout(r, 2_000));
      expect(services.map((s) => s.process.exitCode)).toEqual(WORKERS.map(() => null));
    } finally {
      await nc.close();
    }
  }, 60_000);
});
