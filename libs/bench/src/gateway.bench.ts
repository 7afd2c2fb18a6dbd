import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { createClient } from 'graphql-ws';
import { Client } from 'undici';
import type { MigrationFlags, VmDescription } from '@ferry/contracts';
import { migrationStream } from '@ferry/contracts';
import { migrationDecider, type MigrationCommand } from '@ferry/domain';
import {
  handleCommand,
  JetStreamEventStore,
  type AppendResult,
  type Commit,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadResult,
  type RecordedEvent,
  type Subscription,
} from '@ferry/event-store';
import { connectNats, provisionStreams } from '@ferry/messaging';
import { freePort, startBuiltService, startNatsServer, type RunningService } from '@ferry/testing';
import { compare, median, type Measurement } from './measure.ts';
import { rssMeasurement } from './service-process.ts';

/** 100,000 jobs, about a million events, as the issue asks; fewer for a quick look. */
const JOBS = Number(process.env.FERRY_BENCH_GATEWAY_JOBS ?? 100_000);
const SEED_CONCURRENCY = 32;
/** The job whose whole timeline is asked for: 200 events, 192 of them ConversionProgressed. */
const LONG_JOB = 'bench-long';
const PROGRESS_PER_DISK = 96;
/** The job a subscriber follows while it is written, one event at a time. */
const LIVE_JOB = 'bench-live';
const LIVE_UPDATES = 200;
const REBUILD_ROUNDS = 3;
/** How long after the queries the gateway is taken to be at rest. */
const REST_MS = 20_000;
const WARMUP = 30;
const SAMPLES = 300;
const JOBS_QUERY = `query Jobs {
  migrations(first: 100) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node {
      id state vmName createdAt updatedAt dryRun
      stages { stage durationMs outcome }
      disks { diskIndex percent }
      error { code }
    } }
  }
}`;
/** The dashboard's page of the failed jobs (a tenth of them). */
const FAILED_QUERY = `query Failed {
  migrations(first: 100, filter: { states: [FAILED] }) {
    totalCount
    edges { cursor node { id state vmName createdAt updatedAt error { code } } }
  }
}`;
const JOB_QUERY = `query Job($id: ID!) {
  migration(id: $id) {
    id state phase vmKey vmName attempt dryRun createdAt updatedAt eventCount
    stages { stage startedAt endedAt durationMs outcome }
    disks { diskIndex percent bytesDone }
    error { code message }
    timeline { revision type at summary data }
  }
}`;

/**
 * The gateway as a process over a store of 100,000 jobs (and one of 200 events): the rebuild of its
 * projections at start-up against a raw replay of the same commits, its start to ready and its RSS
 * at rest, and the latency of the dashboard's page (all jobs, and one state's), and of a job's detail,
 * against the same round trip to `/healthz`.
 */
export async function gatewayBench(): Promise<Measurement[]> {
  const server = await startNatsServer();
  const root = mkdtempSync(join(tmpdir(), 'ferry-bench-gateway-'));
  let gateway: RunningService | undefined;
  try {
    const nc = await connectNats({ url: server.url, name: 'bench' });
    await provisionStreams(await jetstreamManager(nc));
    const store = new JetStreamEventStore(nc);

    const seedStarted = performance.now();
    const seeded = await seed(store);
    process.stderr.write(
      `gateway: seeded ${seeded.jobs} jobs, ${seeded.events} events in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s\n`,
    );

    execFileSync('npx', ['nx', 'run', '@ferry/service-gateway:build', '--outputStyle=static'], {
      stdio: 'ignore',
    });
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const env = {
      NATS_URL: server.url,
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_PORT: String(port),
      LOG_DIR: join(root, 'logs'),
      LOG_LEVEL: 'warn',
    };

    const started = async (snapshot: string) => {
      await gateway?.stop();
      const spawned = performance.now();
      gateway = startBuiltService('gateway', { ...env, GATEWAY_SNAPSHOT_FILE: snapshot });
      const ready = await readyz(gateway, origin, env.LOG_DIR);
      if (ready.jobs !== seeded.jobs) throw new Error(`the gateway folded ${ready.jobs} jobs`);
      return { ...ready, ms: performance.now() - spawned };
    };
    // Each full rebuild with a save of its own (none yet); the last one's save is then taken back.
    let rebuilds = 0;
    const fullStartMs: number[] = [];
    const rebuild = await compare({
      bench: 'gateway',
      metric: 'rebuild_rate',
      unit: 'events/s',
      goal: '>= 0.5',
      rounds: REBUILD_ROUNDS,
      raw: async () => {
        const started = performance.now();
        let events = 0;
        for await (const commit of store.readAll(0)) events += commit.events.length;
        const ms = performance.now() - started;
        if (events !== seeded.events) throw new Error(`raw replay read ${events} events`);
        process.stderr.write(`gateway: raw replay of ${events} events: ${ms.toFixed(0)} ms\n`);
        return events / (ms / 1000);
      },
      ferry: async () => {
        const ready = await started(join(root, `save-${++rebuilds}`));
        if (ready.restored) throw new Error('a first start took back a save');
        fullStartMs.push(ready.ms);
        process.stderr.write(
          `gateway: full rebuild of ${ready.jobs} jobs: ${ready.rebuildMs.toFixed(0)} ms\n`,
        );
        return seeded.events / (ready.rebuildMs / 1000);
      },
    });
    await memoryBreakdown(origin, 'after a full rebuild');
    const readyMs: number[] = [];
    for (let round = 0; round < REBUILD_ROUNDS; round++) {
      const ready = await started(join(root, `save-${rebuilds}`));
      if (!ready.restored) throw new Error('the gateway did not take its save back');
      readyMs.push(ready.ms);
      process.stderr.write(
        `gateway: start from a save at ${ready.restored.position}: read in ${ready.restored.ms.toFixed(0)} ms, ready in ${ready.ms.toFixed(0)} ms\n`,
      );
    }

    await memoryBreakdown(origin, 'started from a save');
    const client = new Client(origin, { pipelining: 1 });
    try {
      const healthz = () => get(client, '/healthz');
      const jobs = async () => {
        const data = (await graphql(client, JOBS_QUERY)) as {
          migrations: { totalCount: number; edges: unknown[] };
        };
        if (data.migrations.edges.length !== 100 || data.migrations.totalCount !== seeded.jobs)
          throw new Error(`migrations(first: 100): ${JSON.stringify(data).slice(0, 300)}`);
      };
      const job = async () => {
        const data = (await graphql(client, JOB_QUERY, { id: LONG_JOB })) as {
          migration: { timeline: unknown[] } | null;
        };
        if (data.migration?.timeline.length !== seeded.longJobEvents)
          throw new Error(`migration(id): ${JSON.stringify(data).slice(0, 300)}`);
      };
      const failed = async () => {
        const data = (await graphql(client, FAILED_QUERY)) as {
          migrations: { totalCount: number; edges: { node: { state: string } }[] };
        };
        const states = new Set(data.migrations.edges.map((e) => e.node.state));
        if (data.migrations.edges.length !== 100 || states.size !== 1 || !states.has('FAILED'))
          throw new Error(`migrations(filter: FAILED): ${JSON.stringify(data).slice(0, 300)}`);
      };
      const jobsLatency = await latencies(healthz, jobs);
      const failedLatency = await latencies(healthz, failed);
      const jobLatency = await latencies(healthz, job);
      const updates = await subscriptionDelays(store, origin);
      // At rest: after the queries, as V8 leaves the heap once idle (its memory reducer collects
      // what the queries promoted a few seconds after they stop); 2 s after them as well.
      await new Promise((r) => setTimeout(r, 2_000));
      await memoryBreakdown(origin, '2 s after the queries');
      await new Promise((r) => setTimeout(r, REST_MS - 2_000));
      await memoryBreakdown(origin, 'at rest');
      return [
        rebuild,
        limitLine('start_to_ready', median(readyMs), 5_000, readyMs.length),
        // Beside it, a start without a save: how many times longer it takes.
        {
          bench: 'gateway',
          metric: 'start_to_ready_full_rebuild',
          value: Math.round(median(fullStartMs)),
          unit: 'ms',
          baseline: Math.round(median(readyMs)),
          ratio: Math.round((median(fullStartMs) / median(readyMs)) * 100) / 100,
          goal: '>= 1',
          rounds: fullStartMs.length,
        },
        rssMeasurement('gateway', rssMiBOf(gateway), 300e6 / 2 ** 20, 'rss_at_rest'),
        latencyLine('migrations_first100_p50', jobsLatency, 0.5),
        latencyLine('migrations_first100_p99', jobsLatency, 0.99),
        latencyLine('migrations_failed_first100_p99', failedLatency, 0.99),
        latencyLine('migration_timeline200_p50', jobLatency, 0.5),
        latencyLine('migration_timeline200_p99', jobLatency, 0.99),
        limitLine('subscription_update_p50', percentile(updates, 0.5), 250, updates.length),
        limitLine('subscription_update_p99', percentile(updates, 0.99), 250, updates.length),
      ];
    } finally {
      await client.close();
      await nc.close();
    }
  } finally {
    await gateway?.stop();
    await server.remove();
    rmSync(root, { recursive: true, force: true });
  }
}

interface Latencies {
  readonly query: number[];
  readonly floor: number[];
}

/** Each request timed alone, the floor (`/healthz`) and the query alternately, after a warm-up. */
async function latencies(floor: () => Promise<void>, query: () => Promise<void>) {
  const timed = async (f: () => Promise<void>) => {
    const started = performance.now();
    await f();
    return performance.now() - started;
  };
  for (let i = 0; i < WARMUP; i++) await Promise.all([floor(), query()]);
  const result: Latencies = { query: [], floor: [] };
  for (let i = 0; i < SAMPLES; i++) {
    result.floor.push(await timed(floor));
    result.query.push(await timed(query));
  }
  return result;
}

/**
 * How soon a graphql-ws subscriber of `migrationUpdated(id)` hears of each event of a job, from the
 * moment its append is sent to the store (the append itself included), one event at a time.
 */
async function subscriptionDelays(store: EventStore, origin: string): Promise<number[]> {
  const client = createClient({
    url: `${origin.replace('http', 'ws')}/api/graphql`,
    lazy: false,
    retryAttempts: 0,
  });
  await new Promise<void>((resolve) => client.on('connected', () => resolve()));
  let heard: ((events: number) => void) | undefined;
  const unsubscribe = client.subscribe<{ migrationUpdated: { eventCount: number } }>(
    { query: `subscription { migrationUpdated(id: "${LIVE_JOB}") { eventCount } }` },
    {
      next: ({ data }) => data && heard?.(data.migrationUpdated.eventCount),
      error: (error) => process.stderr.write(`gateway: subscription: ${String(error)}\n`),
      complete: () => undefined,
    },
  );
  // The subscription is the client's next message: give the server a moment to attach it.
  await new Promise((r) => setTimeout(r, 200));
  const job = jobCommands(LIVE_JOB, vmOf(JOBS + 1, 1), Date.now());
  job.created();
  for (let s = 1; s <= LIVE_UPDATES; s++) job.progress(0, (100 * s) / (LIVE_UPDATES + 1));
  const delays: number[] = [];
  let events = 0;
  try {
    for (const command of job.commands) {
      const started = performance.now();
      const arrived = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no update within 5 s')), 5_000);
        heard = (count) => {
          if (count < events) return;
          clearTimeout(timer);
          resolve();
        };
      });
      events += (await handleCommand(store, migrationDecider, migrationStream(LIVE_JOB), command))
        .events.length;
      await arrived;
      delays.push(performance.now() - started);
    }
  } finally {
    unsubscribe();
    await client.dispose();
  }
  process.stderr.write(
    `gateway: ${delays.length} updates heard by a subscriber, p50 ${percentile(delays, 0.5).toFixed(1)} ms\n`,
  );
  return delays;
}

/** A figure against its limit: the ratio is the share of the limit used. */
const limitLine = (metric: string, value: number, limit: number, rounds: number): Measurement => ({
  bench: 'gateway',
  metric,
  value: Number(value.toPrecision(4)),
  unit: 'ms',
  baseline: limit,
  ratio: Math.round((value / limit) * 100) / 100,
  goal: '<= 1',
  rounds,
});

const percentile = (values: readonly number[], q: number) => {
  if (q === 0.5) return median(values);
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
};

/**
 * A latency percentile against its limit; the round trip of the same server's /healthz is printed
 * beside it as the floor.
 */
function latencyLine(metric: string, l: Latencies, q: number): Measurement {
  const value = percentile(l.query, q);
  const floor = percentile(l.floor, q);
  // The limit: 20 ms at p99 (and so at p50).
  const limit = 20;
  process.stderr.write(
    `gateway: ${metric}: ${value.toFixed(2)} ms (limit ${limit}), /healthz ${floor.toFixed(2)} ms\n`,
  );
  return limitLine(metric, value, limit, l.query.length);
}

async function get(client: Client, path: string): Promise<void> {
  const { statusCode, body } = await client.request({ method: 'GET', path });
  await body.dump();
  if (statusCode !== 200) throw new Error(`GET ${path}: ${statusCode}`);
}

async function graphql(client: Client, query: string, variables?: object): Promise<unknown> {
  const { statusCode, body } = await client.request({
    method: 'POST',
    path: '/api/graphql',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const answer = (await body.json()) as { data?: unknown; errors?: unknown };
  if (statusCode !== 200 || answer.errors)
    throw new Error(`graphql: ${statusCode} ${JSON.stringify(answer.errors)}`);
  return answer.data;
}

/** Where the gateway's memory is: the V8 heap, or buffers outside it (its own metrics). */
async function memoryBreakdown(origin: string, when: string): Promise<void> {
  const metrics = await (await fetch(`${origin}/metrics`)).text();
  const mib = (name: string) => {
    const line = metrics.split('\n').find((l) => l.startsWith(name));
    return `${(Number(line?.split(' ').at(-1)) / 2 ** 20).toFixed(0)} MiB`;
  };
  process.stderr.write(
    `gateway: ${when}: heap used ${mib('nodejs_heap_size_used_bytes')} of ${mib('nodejs_heap_size_total_bytes')}, external ${mib('nodejs_external_memory_bytes')}, resident ${mib('process_resident_memory_bytes')}\n`,
  );
}

const rssMiBOf = (service: RunningService | undefined) =>
  Number(
    /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${service?.process.pid}/status`, 'utf8'))?.[1] ?? 0,
  ) / 1024;

/** `/readyz` once it answers 200 (the gateway listens only after its rebuild); its log if it exits first. */
async function readyz(
  gateway: RunningService,
  origin: string,
  logDir: string,
): Promise<{ jobs: number; rebuildMs: number; restored: { position: number; ms: number } | null }> {
  // A full rebuild of 100,000 jobs takes minutes.
  const deadline = Date.now() + 900_000;
  for (;;) {
    const answer = await fetch(`${origin}/readyz`).catch(() => undefined);
    if (answer?.status === 200) return (await answer.json()) as Awaited<ReturnType<typeof readyz>>;
    await answer?.body?.cancel();
    const { exitCode, signalCode } = gateway.process;
    if (exitCode !== null || signalCode !== null || Date.now() > deadline) {
      const log = join(logDir, 'app.log');
      throw new Error(
        `the gateway was not ready (exit ${exitCode ?? signalCode ?? 'none'} after 900 s at most): ${existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : 'no log'}`,
      );
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The job histories through the real decider, 32 jobs at a time; then the 200-event job. */
async function seed(jetStream: JetStreamEventStore) {
  const store = new SeedingStore(jetStream);
  let events = 0;
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < JOBS; i = next++) {
      const appended = await seedJob(store, i);
      events += appended;
    }
  };
  await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));
  const longJobEvents = await seedLongJob(store);
  return { jobs: JOBS + 1, events: events + longJobEvents, longJobEvents };
}

const DRY_RUN: MigrationFlags = {
  realConversion: false,
  openstackDeployment: false,
  rollback: true,
};
// Every job in the past (a job a minute): the oldest of 100,000 about ten weeks before the newest.
const START = Date.parse('2026-09-01T00:00:00Z');

const vmOf = (i: number, disks: number): VmDescription => ({
  key: `ws-vm${i}`,
  name: `vm${String(i).padStart(5, '0')}`,
  source: { kind: 'workstation', id: '/vms' },
  cpus: 2,
  memoryMiB: 2048,
  firmware: 'bios',
  secureBoot: false,
  guestOs: 'debian12-64',
  powerState: 'poweredOff',
  hasSnapshots: false,
  disks: Array.from({ length: disks }, (_, d) => ({
    index: d,
    controller: 'scsi',
    slot: `scsi0:${d}`,
    path: `/vms/vm${i}/disk${d}.vmdk`,
    capacityBytes: 16 * 2 ** 30,
  })),
  nics: [{ index: 0, mac: null, macKind: 'generated', network: 'nat' }],
});

/** A job's commands as its services would send them, one every few seconds from its creation. */
function jobCommands(jobId: string, vm: VmDescription, createdAt: number) {
  const commands: MigrationCommand[] = [];
  const add = <T extends MigrationCommand['type']>(
    type: T,
    data: Extract<MigrationCommand, { type: T }>['data'],
  ) => {
    const commandId = `${jobId}-${commands.length}`;
    const now = new Date(createdAt + commands.length * 3_000).toISOString();
    commands.push({
      type,
      data,
      metadata: { commandId, correlationId: jobId, now },
    } as MigrationCommand);
  };
  const disks = vm.disks.map((d) => ({
    diskIndex: d.index,
    path: d.path,
    capacityBytes: d.capacityBytes,
  }));
  return {
    created: () => {
      add('CreateMigration', {
        jobId,
        vmKey: vm.key,
        vmName: vm.name,
        source: vm.source,
        options: {
          strategy: 'qemu-img',
          bootMode: 'image',
          flavor: null,
          networkMapping: {},
          keepMac: false,
        },
        flags: DRY_RUN,
      });
      add('RecordValidation', {
        vm,
        checks: [
          { name: 'disks-present', outcome: 'passed', detail: 'every disk is readable' },
          { name: 'no-snapshots', outcome: 'passed', detail: 'no snapshot chain' },
        ],
      });
      add('StartConversion', {
        strategy: 'qemu-img',
        commands: disks.map((d) => [
          'qemu-img',
          'convert',
          '-O',
          'qcow2',
          d.path,
          `${d.path}.qcow2`,
        ]),
        disks,
      });
    },
    progress: (diskIndex: number, percent: number) =>
      add('RecordConversionProgress', {
        diskIndex,
        percent,
        bytesDone: Math.round((16 * 2 ** 30 * percent) / 100),
      }),
    converted: () => add('CompleteConversion', { artifacts: [], reused: false, durationMs: 9_000 }),
    uploading: () => add('StartImageUpload', { imageId: null, imageName: `ferry-${vm.name}` }),
    deployedAndVerified: () => {
      add('CompleteImageUpload', {
        imageId: null,
        reused: false,
        checksum: null,
        sizeBytes: 16 * 2 ** 30,
        durationMs: 4_000,
      });
      add('RecordServerDeployed', {
        reused: false,
        serverId: null,
        flavor: 'm1.small',
        bootMode: 'image',
        networks: [],
        ports: [],
        volumes: [],
      });
      add('RecordVerification', { serverStatus: null, durationMs: 2_000 });
    },
    failed: (stage: 'conversion' | 'upload', code: string) =>
      add('FailMigration', { stage, code, message: `${stage} failed (${code})`, retryable: true }),
    rolledBack: () => {
      add('StartRollback', { keep: [] });
      add('CompleteRollback', {});
    },
    commands,
  };
}

/** Job `i`'s commands: one of four histories, 60 % verified dry runs, 15 % rolled back, 10 % failed, 15 % converting. */
export function benchJob(i: number): { jobId: string; commands: readonly MigrationCommand[] } {
  const jobId = `bench-${String(i).padStart(5, '0')}`;
  const job = jobCommands(jobId, vmOf(i, 1), START + i * 60_000);
  job.created();
  const kind = i % 20;
  const steps = kind < 12 ? 4 : kind < 17 ? 2 : 5;
  for (let s = 1; s <= steps; s++) job.progress(0, (100 * s) / (steps + 1));
  if (kind < 12) {
    job.converted();
    job.uploading();
    job.deployedAndVerified();
  } else if (kind < 15) {
    job.failed('conversion', 'qemu-img-failed');
    job.rolledBack();
  } else if (kind < 17) {
    job.converted();
    job.uploading();
    job.failed('upload', 'glance-unavailable');
  }
  return { jobId, commands: job.commands };
}

async function seedJob(store: EventStore, i: number): Promise<number> {
  const { jobId, commands } = benchJob(i);
  return run(store, jobId, commands);
}

/** A verified job of two disks with 96 progress events each: 200 events. */
async function seedLongJob(store: EventStore): Promise<number> {
  const job = jobCommands(LONG_JOB, vmOf(JOBS, 2), START + JOBS * 60_000);
  job.created();
  for (let s = 1; s <= PROGRESS_PER_DISK; s++)
    for (const disk of [0, 1]) job.progress(disk, (100 * s) / (PROGRESS_PER_DISK + 1));
  job.converted();
  job.uploading();
  job.deployedAndVerified();
  return run(store, LONG_JOB, job.commands);
}

async function run(
  store: EventStore,
  jobId: string,
  commands: readonly MigrationCommand[],
): Promise<number> {
  let events = 0;
  for (const command of commands)
    events += (await handleCommand(store, migrationDecider, migrationStream(jobId), command)).events
      .length;
  return events;
}

/**
 * The store as the seeder sees it: appends go to JetStream (with their expected revision), reads are
 * answered from what this seeder appended, as it is the store's only writer. Spares each command
 * the read of its stream (an ordered consumer per read): seeding in seconds, not minutes.
 */
class SeedingStore implements EventStore {
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly store: JetStreamEventStore;

  constructor(store: JetStreamEventStore) {
    this.store = store;
  }

  async append(
    streamName: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const result = await this.store.append(streamName, events, expected);
    const stored = this.streams.get(streamName) ?? [];
    for (const { id, ...e } of events)
      stored.push({
        ...e,
        eventId: id ?? '',
        streamName,
        revision: stored.length,
        position: result.position,
      } as RecordedEvent);
    this.streams.set(streamName, stored);
    return result;
  }

  async read<E extends NewEvent = NewEvent>(streamName: string): Promise<ReadResult<E>> {
    const events = (this.streams.get(streamName) ?? []) as unknown as RecordedEvent<E>[];
    return { events: [...events], revision: events.length === 0 ? 'no-stream' : events.length - 1 };
  }

  readAll<E extends NewEvent = NewEvent>(): AsyncIterable<Commit<E>> {
    throw new Error('the seeder does not read the whole store');
  }

  subscribe<E extends NewEvent = NewEvent>(): Subscription<E> {
    throw new Error('the seeder does not subscribe');
  }
}
