import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PIPELINE_SERVICES, startPipeline, type Pipeline } from '@ferry/pipeline-testing';
import { eventually, freePort } from '@ferry/testing';
import {
  collect,
  dataOf,
  graphql,
  startGatewayProcess,
  subscriber,
  type GatewayProcess,
  type Json,
} from './testing/gateway-client.ts';

/** The value of the one sample of `name` with these labels (and any others) in a Prometheus text. */
function sample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text
    .split('\n')
    .find(
      (l) =>
        (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) &&
        wanted.every((w) => l.includes(w)),
    );
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

const MIGRATE = `mutation($keys: [ID!]!, $id: ID, $options: MigrationOptionsInput) {
  migrate(vmKeys: $keys, commandId: $id, options: $options) {
    commandId jobs { jobId vmKey } skipped { vmKey reason activeJobId } } }`;
const JOB = `query($id: ID!) { migration(id: $id) { id state attempt finished dryRun error { code }
  stages { stage outcome } timeline { revision type } } }`;

/**
 * The gateway's mutations on the real system: every service its own process, real qemu-img, the
 * OpenStack stages as dry runs. The mutations publish Ferry's commands; what comes back is what
 * the services decided.
 */
describe('the gateway driving the real services', () => {
  let p: Pipeline;
  let gateway: GatewayProcess;
  /** Each worker's Prometheus endpoint. */
  const metricsOf = new Map<string, string>();
  const scrape = async (service: string) => (await fetch(metricsOf.get(service) ?? '')).text();
  const job = async (id: string) => (await dataOf(gateway, JOB, { id })).migration;
  const settled = (id: string, state: string) =>
    eventually(async () => (await job(id))?.state === state, `${id} ${state}`, {
      timeoutMs: 120_000,
      intervalMs: 200,
    });

  beforeAll(async () => {
    p = await startPipeline({ ENABLE_OPENSTACK_DEPLOYMENT: 'false' });
    for (const name of PIPELINE_SERVICES) {
      const port = await freePort();
      metricsOf.set(name, `http://127.0.0.1:${port}/metrics`);
      p.start(name, name, { METRICS_PORT: String(port) });
    }
    gateway = await startGatewayProcess(p.env);
  }, 600_000);
  afterAll(async () => {
    await gateway?.process.stop();
    await p?.close();
  });

  it('refreshes the inventory on request and tells a subscriber what changed', async () => {
    p.writeVm('gw-first');
    await p.discovered('gw-first');
    const client = await subscriber(gateway);
    try {
      const changes = collect<{ inventoryChanged: { type: string; vm: { name: string } | null } }>(
        client,
        'subscription { inventoryChanged { type vmKey at vm { name cpus stale } } }',
      );
      await new Promise((r) => setTimeout(r, 200));
      p.writeVm('gw-late');
      const { body } = await graphql(gateway, 'mutation { refreshInventory { commandId } }');
      expect(body.data.refreshInventory.commandId).toMatch(/^[0-9a-f-]{36}$/);
      await eventually(
        async () =>
          changes.received.some(
            (c) =>
              c.inventoryChanged.type === 'VmDiscovered' &&
              c.inventoryChanged.vm?.name === 'gw-late',
          ),
        'gw-late discovered',
        { timeoutMs: 20_000 },
      );
      const names = (await dataOf(gateway, '{ inventory { name stale } }')).inventory;
      expect(names).toEqual(
        expect.arrayContaining([
          { name: 'gw-first', stale: false },
          { name: 'gw-late', stale: false },
        ]),
      );
    } finally {
      await client.dispose();
    }
  });

  it('migrates a selection, skips a VM whose job is active and an unknown one, cancels, refuses, retries', async () => {
    p.writeVm('gw-small');
    p.writeVm('gw-big', { mib: 768 });
    const [small, big] = [await p.discovered('gw-small'), await p.discovered('gw-big')];
    const first = (
      await dataOf(gateway, MIGRATE, {
        keys: [small, big],
        id: 'gw-e2e-1',
        options: { strategy: 'qemu-img' },
      })
    ).migrate;
    expect(first.commandId).toBe('gw-e2e-1');
    expect(first.skipped).toEqual([]);
    const jobOf = (key: string) => first.jobs.find((j: Json) => j.vmKey === key).jobId as string;
    const [smallJob, bigJob] = [jobOf(small), jobOf(big)];

    // The same request again (its command id) answers the same; a new one skips the busy VM.
    const again = (await dataOf(gateway, MIGRATE, { keys: [small, big], id: 'gw-e2e-1' })).migrate;
    expect(again).toEqual(first);
    const second = (await dataOf(gateway, MIGRATE, { keys: [big, 'ws-no-such-vm'] })).migrate;
    expect(second.jobs).toEqual([]);
    expect(second.skipped).toEqual([
      { vmKey: big, reason: 'active-job', activeJobId: bigJob },
      { vmKey: 'ws-no-such-vm', reason: 'unknown-vm', activeJobId: null },
    ]);
    const busy = (
      await dataOf(
        gateway,
        `
          {
            inventory(filter: { hasActiveJob: true }) {
              key
              activeJob {
                id
              }
            }
          }
        `,
      )
    ).inventory;
    expect(busy).toEqual(expect.arrayContaining([{ key: big, activeJob: { id: bigJob } }]));

    // Bad input is refused by the command's own schema, nothing sent.
    const bad = await graphql(gateway, MIGRATE, { keys: [big], options: { strategy: 'teleport' } });
    expect(bad.body.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');

    await eventually(async () => (await job(bigJob)).state === 'CONVERTING', 'big converting', {
      timeoutMs: 60_000,
      intervalMs: 100,
    });
    const cancel = (
      await dataOf(
        gateway,
        'mutation($id: ID!) { cancelMigration(id: $id, reason: "e2e") { accepted reason } }',
        { id: bigJob },
      )
    ).cancelMigration;
    expect(cancel).toEqual({ accepted: true, reason: null });
    await settled(bigJob, 'ROLLED_BACK');
    expect((await job(bigJob)).error.code).toBe('cancelled');

    await settled(smallJob, 'VERIFIED');
    const late = (
      await dataOf(gateway, 'mutation($id: ID!) { cancelMigration(id: $id) { accepted reason } }', {
        id: smallJob,
      })
    ).cancelMigration;
    expect(late.accepted).toBe(false);
    expect(late.reason).toMatch(/^illegal-state/);

    const retry = (
      await dataOf(gateway, 'mutation($id: ID!) { retryMigration(id: $id) { accepted reason } }', {
        id: bigJob,
      })
    ).retryMigration;
    expect(retry).toEqual({ accepted: true, reason: null });
    await settled(bigJob, 'VERIFIED');
    const retried = await job(bigJob);
    expect(retried).toMatchObject({ attempt: 2, finished: true, dryRun: true });
    expect(retried.timeline.map((e: Json) => e.type)).toEqual(
      expect.arrayContaining([
        'CancelRequested',
        'RollbackCompleted',
        'MigrationRetried',
        'MigrationVerified',
      ]),
    );
  });

  it('has every worker count its work for Prometheus, and the gateway its jobs', async () => {
    const conversion = await scrape('conversion');
    // The small job, and the big one's second attempt (its first was cancelled mid-way).
    expect(
      sample(conversion, 'ferry_stage_duration_seconds_count', {
        stage: 'conversion',
        outcome: 'done',
      }),
    ).toBe(2);
    expect(sample(conversion, 'ferry_bytes_converted_total')).toBeGreaterThan(768 * 1024 * 1024);
    expect(sample(conversion, 'ferry_consumer_pending', { consumer: 'conversion' })).toBe(0);
    expect(sample(conversion, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    const jobs = await scrape('jobs');
    expect(
      sample(jobs, 'ferry_stage_duration_seconds_count', {
        stage: 'validation',
        outcome: 'passed',
      }),
    ).toBe(3);
    expect(
      sample(jobs, 'ferry_jobs_failed_total', { stage: 'conversion', code: 'cancelled' }),
    ).toBe(1);
    const rollback = await scrape('rollback');
    expect(
      sample(rollback, 'ferry_stage_duration_seconds_count', {
        stage: 'rollback',
        outcome: 'complete',
      }),
    ).toBe(1);
    const gatewayMetrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(sample(gatewayMetrics, 'ferry_jobs', { state: 'VERIFIED', service: 'gateway' })).toBe(2);
  });

  it('killed and started again, the gateway answers as before', async () => {
    const query = `{ inventory { key name activeJob { id } }
      migrations(first: 20) { totalCount edges { node { id state attempt eventCount stages { stage outcome durationMs } } } } }`;
    const before = (await graphql(gateway, query)).body;
    expect(before.data.migrations.totalCount).toBe(2);
    await gateway.process.kill();
    gateway = await startGatewayProcess(p.env);
    expect((await graphql(gateway, query)).body).toEqual(before);
  });
});
