import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JetStreamEventStore } from '@ferry/event-store';
import { natsWithStreams, testVm } from '@ferry/stages/testing';
import { eventually, freePort, startNginx } from '@ferry/testing';
import {
  collect,
  dataOf,
  startGatewayProcess,
  subscriber,
  type GatewayProcess,
} from './testing/gateway-client.ts';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const CONSOLE_DIR = join(ROOT, 'services', 'console', 'dist');

/**
 * The seed's layout, for real: Debian's nginx with deploy/nginx/ferry.conf serving the console's
 * build at / and proxying /api/ (WebSocket upgrades included) to a running gateway.
 */
describe('the console and the API behind nginx', () => {
  let nats: Awaited<ReturnType<typeof natsWithStreams>>;
  let gateway: GatewayProcess;
  let nginx: ReturnType<typeof startNginx> | undefined;
  let proxy: string;
  const dir = mkdtempSync(join(tmpdir(), 'ferry-nginx-'));

  beforeAll(async () => {
    nats = await natsWithStreams();
    gateway = await startGatewayProcess({
      NATS_URL: nats.server.url,
      LOG_DIR: join(dir, 'logs'),
      OPENSTACK_CLOUD_NAME: 'ferry-test-none',
    });
    const port = await freePort();
    writeFileSync(
      join(dir, 'ferry.conf'),
      readFileSync(join(ROOT, 'deploy', 'nginx', 'ferry.conf'), 'utf8')
        .replaceAll('@LISTEN@', `127.0.0.1:${port}`)
        .replaceAll('@GATEWAY@', gateway.url.replace('http://', ''))
        .replaceAll('@CONSOLE_DIR@', CONSOLE_DIR),
    );
    nginx = startNginx(dir, ['include /etc/nginx/mime.types;', `include ${dir}/ferry.conf;`]);
    proxy = `http://127.0.0.1:${port}`;
    await eventually(
      async () => (await fetch(`${proxy}/readyz`).catch(() => undefined))?.status === 200,
      `nginx up (see ${dir}/error.log)`,
      { timeoutMs: 10_000, intervalMs: 100 },
    );
  }, 60_000);

  afterAll(async () => {
    await nginx?.stop();
    await gateway?.process.stop();
    await nats?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves the console's pages and assets, any console route as its index", async () => {
    const index = await (await fetch(`${proxy}/`)).text();
    expect(index).toContain('<title>Ferry console</title>');
    expect(await (await fetch(`${proxy}/jobs/job-123`)).text()).toBe(index);
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(index)?.[1];
    expect(asset).toBeDefined();
    const script = await fetch(`${proxy}${asset}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('cache-control')).toMatch(/max-age=31536000.*immutable/);
  });

  it('proxies GraphQL queries, the REST health and subscriptions to the gateway', async () => {
    const { health } = await dataOf({ url: proxy }, '{ health { status } }');
    expect(health.status).toBe('ok');
    const openstack = await fetch(`${proxy}/api/openstack/health`);
    expect(openstack.status).toBe(503);
    expect(await openstack.json()).toMatchObject({ status: 'down', cloud: null });

    const client = await subscriber({ url: proxy });
    try {
      const changes = collect<{ inventoryChanged: { type: string; vm: { name: string } | null } }>(
        client,
        'subscription { inventoryChanged { type vm { name } } }',
      );
      await new Promise((r) => setTimeout(r, 200));
      const store = new JetStreamEventStore(await nats.connect());
      await store.append(
        'inventory-proxy',
        [
          {
            type: 'VmDiscovered',
            data: { vm: { ...testVm, key: 'ws-proxied', name: 'proxied' } },
            metadata: {
              commandId: 'p1',
              correlationId: 'p1',
              causationId: 'p1',
              occurredAt: new Date().toISOString(),
            },
          },
        ],
        'no-stream',
      );
      await eventually(
        async () => changes.received.some((c) => c.inventoryChanged.vm?.name === 'proxied'),
        'the change through nginx',
        { timeoutMs: 5_000 },
      );
    } finally {
      await client.dispose();
    }
  });
});
