import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { MigrationState, VmDescription } from '@ferry/contracts';
import { migrationDecider, migrationStatus, type MigrationCommand } from '@ferry/domain';
import { handleCommand, JetStreamEventStore } from '@ferry/event-store';
import { freePort } from '@ferry/testing';
import {
  natsWithStreams,
  createMigration,
  discoveredJob,
  failedJob,
  testVm,
} from '@ferry/stages/testing';
import {
  graphql,
  startGatewayProcess,
  subscriber,
  type GatewayProcess,
  type Json,
} from './testing/gateway-client.ts';

let nats: Awaited<ReturnType<typeof natsWithStreams>>;
let monitorPort: number;
let store: JetStreamEventStore;
let gateway: GatewayProcess;
const dir = mkdtempSync(join(tmpdir(), 'ferry-gateway-int-'));

const env = () => ({
  NATS_URL: nats.server.url,
  LOG_DIR: join(dir, 'logs'),
  // No cloud by that name: OpenStack shows as not configured.
  OPENSTACK_CLOUD_NAME: 'ferry-test-none',
  CONSOLE_DIR: join(dir, 'no-console'),
  NATS_MONITOR_URL: `http://127.0.0.1:${monitorPort}`,
});
/** The built gateway, on this test's nats-server. */
const start = () => startGatewayProcess(env());

const vm = (
  name: string,
  powerState: VmDescription['powerState'] = 'poweredOff',
): VmDescription => ({
  ...testVm,
  key: `ws-${name}`,
  name,
  powerState,
  disks: [
    {
      index: 0,
      controller: 'scsi',
      slot: 'scsi0:0',
      path: `/vms/${name}.vmdk`,
      capacityBytes: 1 << 30,
    },
  ],
  nics: [
    {
      index: 0,
      mac: '00:50:56:aa:00:01',
      macKind: 'static',
      network: 'VM Network',
      addresses: [
        { ip: '10.1.0.5', prefix: 24 },
        { ip: 'fd00::5', prefix: 64 },
      ],
      addressSource: 'guest-tools',
    },
    { index: 1, mac: null, macKind: 'none', network: 'backup' },
  ],
  labels: { folder: 'lab' },
});
const artifact = {
  diskIndex: 0,
  path: '/out/disk0.qcow2',
  format: 'qcow2' as const,
  virtualSize: 1 << 30,
  allocatedSize: 1 << 20,
  sha256: 'a'.repeat(64),
};
const meta = (id: string) => ({
  commandId: id,
  correlationId: id,
  causationId: id,
  occurredAt: new Date().toISOString(),
});

beforeAll(async () => {
  monitorPort = await freePort();
  nats = await natsWithStreams({ config: [`http: "127.0.0.1:${monitorPort}"`] });
  store = new JetStreamEventStore(await nats.connect());
  await store.append(
    'inventory-lab',
    [
      { type: 'VmDiscovered', data: { vm: vm('alpha') }, metadata: meta('d1') },
      { type: 'VmDiscovered', data: { vm: vm('beta', 'poweredOn') }, metadata: meta('d1') },
      {
        type: 'InventoryRefreshed',
        data: { source: testVm.source, vmCount: 2, problems: 0 },
        metadata: meta('d1'),
      },
    ],
    'no-stream',
  );
  await store.append(
    'vm-ws-alpha',
    [{ type: 'VmClaimed', data: { vmKey: 'ws-alpha', jobId: 'job-failed' }, metadata: meta('c1') }],
    'no-stream',
  );
  await failedJob(store, 'job-failed', {
    vm: vm('alpha'),
    artifacts: [artifact],
    resources: [{ kind: 'image', id: 'img-1', name: 'alpha' }],
  });
  for (const i of [1, 2, 3]) await discoveredJob(store, `job-ok-${i}`, { vm: vm('beta') });
  gateway = await start();
}, 60_000);

afterAll(async () => {
  await gateway?.process.stop();
  await nats?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the gateway over a real event store', () => {
  it('answers the inventory with its filters, each VM with its source, resources and active job', async () => {
    const { body } = await graphql(
      gateway,
      `
        {
          all: inventory {
            key
            name
            cpus
            memoryMiB
            totalDiskBytes
            powerState
            stale
            labels {
              key
              value
            }
            nics {
              network
              addresses
              addressSource
            }
            source {
              key
              reachable
              vmCount
            }
            activeJob {
              id
              state
            }
          }
          on: inventory(filter: { powerState: poweredOn }) {
            name
          }
          busy: inventory(filter: { hasActiveJob: true, source: "workstation" }) {
            name
          }
          named: inventory(filter: { name: "ALP" }) {
            name
          }
          sources {
            key
            reachable
            vmCount
          }
        }
      `,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.all).toEqual([
      {
        key: 'ws-alpha',
        name: 'alpha',
        cpus: 1,
        memoryMiB: 512,
        totalDiskBytes: 1 << 30,
        powerState: 'poweredOff',
        stale: false,
        labels: [{ key: 'folder', value: 'lab' }],
        nics: [
          {
            network: 'VM Network',
            addresses: ['10.1.0.5/24', 'fd00::5/64'],
            addressSource: 'guest-tools',
          },
          { network: 'backup', addresses: [], addressSource: null },
        ],
        source: { key: 'workstation:/vms', reachable: true, vmCount: 2 },
        activeJob: { id: 'job-failed', state: 'FAILED' },
      },
      expect.objectContaining({ key: 'ws-beta', activeJob: null }),
    ]);
    expect(body.data.on).toEqual([{ name: 'beta' }]);
    expect(body.data.busy).toEqual([{ name: 'alpha' }]);
    expect(body.data.named).toEqual([{ name: 'alpha' }]);
    expect(body.data.sources).toEqual([{ key: 'workstation:/vms', reachable: true, vmCount: 2 }]);
  });

  it('pages the jobs as a Relay connection, with filters', async () => {
    const page = async (args: string) =>
      (
        await graphql(
          gateway,
          `{ migrations(${args}) { totalCount edges { cursor node { id state } } pageInfo { hasNextPage hasPreviousPage endCursor } } }`,
        )
      ).body.data.migrations;
    const first = await page('first: 3');
    expect(first.totalCount).toBe(4);
    expect(first.edges).toHaveLength(3);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const rest = await page(`first: 3, after: "${first.pageInfo.endCursor}"`);
    expect(rest.edges).toHaveLength(1);
    expect(rest.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const all = [...first.edges, ...rest.edges].map((e: { node: { id: string } }) => e.node.id);
    expect(new Set(all)).toEqual(new Set(['job-failed', 'job-ok-1', 'job-ok-2', 'job-ok-3']));
    expect((await page('filter: { states: [FAILED] }')).edges.map((e: Json) => e.node.id)).toEqual([
      'job-failed',
    ]);
    expect((await page('filter: { vmName: "bet", states: [DISCOVERED] }')).totalCount).toBe(3);
    expect((await page('filter: { createdAfter: "2999-01-01T00:00:00Z" }')).totalCount).toBe(0);
    // By source: its `kind:id`, or its kind.
    expect((await page('filter: { source: "workstation:/vms" }')).totalCount).toBe(4);
    expect((await page('filter: { source: "workstation", states: [FAILED] }')).totalCount).toBe(1);
    expect((await page('filter: { source: "esxi" }')).totalCount).toBe(0);
  });

  it('answers a job with its stages, resources, error and every event of its timeline', async () => {
    const { body } = await graphql(
      gateway,
      `
        {
          migration(id: "job-failed") {
            id
            state
            phase
            canCancel
            canRetry
            canRerunRollback
            finished
            vmKey
            attempt
            imageIds
            resources {
              kind
              id
            }
            stages {
              stage
              outcome
              durationMs
            }
            error {
              stage
              code
              message
              retryable
            }
            eventCount
            timeline {
              revision
              type
              at
              summary
              commandId
              data
            }
          }
        }
      `,
    );
    const job = body.data.migration;
    expect(job).toMatchObject({
      id: 'job-failed',
      state: 'FAILED',
      finished: false,
      // Failed with rollback on: its rollback comes first.
      canCancel: false,
      canRetry: false,
      // An operator may run its rollback (again) at once.
      canRerunRollback: true,
      vmKey: 'ws-alpha',
      attempt: 1,
      imageIds: ['img-1'],
      resources: [
        { kind: 'artifact', id: '/out/disk0.qcow2' },
        { kind: 'image', id: 'img-1' },
      ],
      error: { stage: 'upload', code: 'test-failure', retryable: true },
    });
    expect(job.timeline.map((e: { type: string }) => e.type)).toEqual([
      'MigrationCreated',
      'MigrationValidated',
      'ConversionStarted',
      'ConversionCompleted',
      'ResourceRecorded',
      'MigrationFailed',
    ]);
    expect(job.timeline.map((e: { revision: number }) => e.revision)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(job.eventCount).toBe(6);
    expect(job.timeline[5].summary).toBe('upload failed: test-failure: failed for the test');
    expect(
      (await graphql(gateway, '{ migration(id: "job-none") { id } }')).body.data.migration,
    ).toBeNull();
    const active = (await graphql(gateway, '{ migration(id: "job-ok-1") { canCancel canRetry } }'))
      .body.data.migration;
    expect(active).toEqual({ canCancel: true, canRetry: false });
  });

  it('refuses bad input, too deep or too costly queries with a code and no stack', async () => {
    const badCursor = await graphql(gateway, '{ migrations(after: "nope") { totalCount } }');
    expect(badCursor.body.errors?.[0]).toMatchObject({
      message: 'not a cursor this API gave: nope',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const bigPage = await graphql(gateway, '{ migrations(first: 501) { totalCount } }');
    expect(bigPage.body.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    const costly = await graphql(
      gateway,
      '{ migrations(first: 500) { edges { node { timeline { type at summary data } } } } }',
    );
    expect(costly.status).toBe(400);
    expect(costly.body.errors?.[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const deep = await graphql(
      gateway,
      '{ inventory { activeJob { source { key } } } migrations { edges { node { rollback { steps { id } } } } } inventory { activeJob { rollback { steps { id } } } } }',
    );
    expect(deep.body.errors).toBeUndefined();
    const unknown = await graphql(gateway, '{ nothing }');
    expect(unknown.body.errors?.[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const badDate = await graphql(
      gateway,
      '{ migrations(filter: { createdAfter: "yesterday" }) { totalCount } }',
    );
    expect(badDate.body.errors?.[0].extensions.code).toMatch(
      /BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED/,
    );
    for (const r of [badCursor, bigPage, costly, unknown, badDate])
      expect(JSON.stringify(r.body)).not.toMatch(/\bat .+\.(ts|js):\d+/);
  });

  it('says how each backend is, and serves the probes and metrics', async () => {
    const { body } = await graphql(
      gateway,
      '{ health { status components { kind name ok status version } } }',
    );
    const kinds = body.data.health.components.map(
      (c: { kind: string; status: string }) => `${c.kind}:${c.status}`,
    );
    expect(kinds).toEqual(['nats:ok', 'event-store:ok', 'vmware:ok', 'openstack:not-configured']);
    expect(body.data.health.status).toBe('ok');
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    const ready = (await (await fetch(`${gateway.url}/readyz`)).json()) as {
      status: string;
      jobs: number;
    };
    expect(ready).toMatchObject({ status: 'ready', jobs: 4 });
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/^ferry_jobs\{state="DISCOVERED",service="gateway"\} 3$/m);
    expect(metrics).toMatch(/^ferry_jobs\{state="FAILED",service="gateway"\} 1$/m);
    expect(metrics).toMatch(
      /^ferry_gateway_graphql_operations_total\{operation="query",outcome="ok",service="gateway"\} \d+$/m,
    );
    // How full the store is: the event store's bytes, and JetStream's on the server from /jsz.
    const figure = (name: string) =>
      Number(new RegExp(`^${name}\\{service="gateway"\\} (\\d+)$`, 'm').exec(metrics)?.[1]);
    const events = figure('ferry_event_store_bytes');
    const used = figure('ferry_jetstream_storage_bytes');
    const limit = figure('ferry_jetstream_storage_limit_bytes');
    expect(events).toBeGreaterThan(0);
    expect(used).toBeGreaterThanOrEqual(events);
    expect(limit).toBeGreaterThan(used);
    const openstack = await fetch(`${gateway.url}/api/openstack/health`);
    expect(openstack.status).toBe(503);
    expect(await openstack.json()).toMatchObject({ status: 'down', cloud: null });
  });

  it('sends a subscriber every state change of a job, in order, within 250 ms of its append', async () => {
    const client = await subscriber(gateway);
    onTestFinished(() => client.dispose());
    const received: { state: MigrationState; at: number }[] = [];
    const done = new Promise<void>((resolve, reject) => {
      client.subscribe<{ migrationUpdated: { state: MigrationState } }>(
        { query: 'subscription { migrationUpdated(id: "job-live") { state } }' },
        {
          next: ({ data }) => {
            if (data) received.push({ state: data.migrationUpdated.state, at: Date.now() });
            if (data?.migrationUpdated.state === 'ROLLED_BACK') resolve();
          },
          error: reject,
          complete: () => undefined,
        },
      );
    });
    // The subscription is the client's next message after the connection: give the server a moment to attach it.
    await new Promise((r) => setTimeout(r, 200));
    const at = (n: number) => new Date(Date.UTC(2026, 10, 26, 0, 0, n)).toISOString();
    const context = (n: number) => ({ commandId: `live-${n}`, correlationId: 'live', now: at(n) });
    const create = createMigration('job-live');
    const steps: MigrationCommand[] = [
      {
        ...create,
        data: { ...create.data, vmKey: 'ws-beta', vmName: 'beta' },
        metadata: context(1),
      },
      {
        type: 'RecordValidation',
        data: {
          vm: vm('beta'),
          checks: [{ name: 'disks-present', outcome: 'passed', detail: 'ok' }],
        },
        metadata: context(2),
      },
      {
        type: 'StartConversion',
        data: {
          strategy: 'qemu-img',
          commands: [['qemu-img', 'convert']],
          disks: [{ diskIndex: 0, path: '/d', capacityBytes: 1 }],
        },
        metadata: context(3),
      },
      {
        type: 'CompleteConversion',
        data: { artifacts: [artifact], reused: false, durationMs: 1 },
        metadata: context(4),
      },
      {
        type: 'StartImageUpload',
        data: { imageId: 'img-9', imageName: 'beta' },
        metadata: context(5),
      },
      {
        type: 'FailMigration',
        data: { stage: 'upload', code: 'openstack-refused', message: 'refused', retryable: false },
        metadata: context(6),
      },
      { type: 'StartRollback', data: { keep: [] }, metadata: context(7) },
      ...[artifact.path, 'img-9'].map((id, i): MigrationCommand => ({
        type: 'RecordRollbackStep',
        data: {
          resource: i === 0 ? { kind: 'artifact', id } : { kind: 'image', id },
          outcome: 'deleted',
          detail: 'removed',
        },
        metadata: context(8 + i),
      })),
      { type: 'CompleteRollback', data: {}, metadata: context(10) },
    ];
    const appended: { state: MigrationState; at: number }[] = [];
    let state = migrationDecider.initialState;
    for (const command of steps) {
      const result = await handleCommand(store, migrationDecider, 'migration-job-live', command);
      state = result.events.reduce(migrationDecider.evolve, state);
      if (state.phase !== 'Empty')
        appended.push({ state: migrationStatus(state.phase), at: Date.now() });
      await new Promise((r) => setTimeout(r, 30));
    }
    await done;
    expect(received.map((r) => r.state)).toEqual(appended.map((a) => a.state));
    expect(received.map((r) => r.state)).toEqual([
      'PENDING',
      'DISCOVERED',
      'CONVERTING',
      'CONVERTING',
      'UPLOADING',
      'FAILED',
      'FAILED',
      'FAILED',
      'FAILED',
      'ROLLED_BACK',
    ]);
    for (const [i, r] of received.entries())
      expect(r.at - (appended[i]?.at ?? 0), `update ${i} (${r.state})`).toBeLessThan(250);
  });

  it('a gateway killed and started again, and a second replica, rebuild the same answers from the store', async () => {
    const query = `{ inventory { key activeJob { id } stale } sources { key vmCount }
      migrations(first: 50) { totalCount edges { cursor node { id state phase stages { stage outcome durationMs } eventCount } } }
      failed: migration(id: "job-failed") { state error { code } timeline { revision type at summary } } }`;
    const before = (await graphql(gateway, query)).body;
    const replica = await start();
    expect((await graphql(replica, query)).body).toEqual(before);
    await gateway.process.kill();
    gateway = await start();
    expect((await graphql(gateway, query)).body).toEqual(before);
    await replica.process.stop();
  });

  it('a gateway stopped takes its save back at the next start and folds only the commits after it', async () => {
    const query = `{ inventory { key activeJob { id } stale } sources { key vmCount }
      migrations(first: 50) { totalCount edges { cursor node { id state phase eventCount } } }
      failed: migration(id: "job-failed") { state error { code } timeline { revision type at summary } } }`;
    const readyz = async (g: GatewayProcess) =>
      (await (await fetch(`${g.url}/readyz`)).json()) as {
        position: number;
        restored: { position: number } | null;
      };
    const stoppedAt = (await readyz(gateway)).position;
    await gateway.process.stop();
    await discoveredJob(store, 'job-after-save', { vm: vm('alpha') });
    gateway = await start();
    const restarted = await readyz(gateway);
    expect(restarted.restored?.position).toBe(stoppedAt);
    expect(restarted.position).toBeGreaterThan(stoppedAt);
    const answer = (await graphql(gateway, query)).body;
    expect(JSON.stringify(answer)).toContain('job-after-save');
    // The same answers as a gateway that folds the whole store.
    const noSave = join(dir, 'no-save');
    const whole = await startGatewayProcess({ ...env(), GATEWAY_SNAPSHOT_FILE: join(noSave, 's') });
    expect((await readyz(whole)).restored).toBeNull();
    expect((await graphql(whole, query)).body).toEqual(answer);
    await whole.process.stop();
  });
});
