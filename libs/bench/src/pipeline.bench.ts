import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { selectionStreamId, STREAMS, type MigrationEvent } from '@ferry/contracts';
import { JetStreamEventStore } from '@ferry/event-store';
import { connectNats, provisionStreams, publishCommand } from '@ferry/messaging';
import { startNatsServer } from '@ferry/testing';
import type { Measurement } from './measure.ts';
import { startService, type ServiceProcess } from './service-process.ts';

/** VMs discovered; the whole fleet is selected at once last. */
const VMS = 10_000;
/** The first selection, whose jobs then run to the end. */
const FIRST = 1000;
const SEQUENTIAL_JOBS = 100;
/** A job's stage transitions: an event, and the first event of the stage it starts (its command handled). */
const TRANSITIONS: readonly [MigrationEvent['type'], MigrationEvent['type']][] = [
  ['MigrationCreated', 'MigrationValidated'],
  ['MigrationValidated', 'ConversionStarted'],
  ['ConversionCompleted', 'ImageUploadStarted'],
  ['ImageUploadCompleted', 'ServerDeployed'],
  ['ServerDeployed', 'MigrationVerified'],
];

/**
 * The jobs service and the process manager with every other service running as its own process,
 * the conversion and OpenStack stages as dry runs (their tools excluded): how long a 1,000-VM
 * selection takes to become 1,000 jobs, each stage transition's latency, from an event stored
 * to the next stage's first event stored (JetStream's own timestamps), over 100 jobs run one by one,
 * and then how long a 10,000-VM selection takes to become 10,000 jobs while they start to run.
 */
export async function pipelineBench(): Promise<Measurement[]> {
  const server = await startNatsServer();
  const root = mkdtempSync(join(tmpdir(), 'ferry-bench-pipeline-'));
  const services: ServiceProcess[] = [];
  try {
    const disk = join(root, 'disk.vmdk');
    execFileSync('qemu-img', ['create', '-q', '-f', 'vmdk', disk, '16M']);
    const names = Array.from({ length: VMS }, (_, i) => `vm${String(i).padStart(5, '0')}`);
    for (const name of names) {
      const dir = join(root, 'vms', name);
      mkdirSync(dir, { recursive: true });
      copyFileSync(disk, join(dir, 'disk.vmdk'));
      writeFileSync(
        join(dir, `${name}.vmx`),
        `.encoding = "UTF-8"\ndisplayName = "${name}"\nguestOS = "debian12-64"\nnumvcpus = "1"\nmemsize = "512"\nscsi0.present = "TRUE"\nscsi0:0.present = "TRUE"\nscsi0:0.fileName = "disk.vmdk"\n`,
      );
    }
    const nc = await connectNats({ url: server.url, name: 'bench' });
    const jsm = await jetstreamManager(nc);
    await provisionStreams(jsm);
    const store = new JetStreamEventStore(nc);
    const env = {
      NATS_URL: server.url,
      LOG_DIR: join(root, 'logs'),
      LOG_LEVEL: 'warn',
      VMWARE_WORKSTATION_PATHS: join(root, 'vms'),
      MIGRATION_OUTPUT_DIR: join(root, 'out'),
      ENABLE_REAL_CONVERSION: 'false',
      ENABLE_OPENSTACK_DEPLOYMENT: 'false',
      DISCOVERY_INTERVAL_SECONDS: '3600',
    };
    for (const name of ['discovery', 'jobs', 'conversion', 'image', 'compute'])
      services.push(startService(name, env));

    const inventory = new Map<string, string>();
    let inventoryAt = 0;
    while (inventory.size < VMS) {
      for await (const commit of store.readAll(inventoryAt, { category: 'inventory' })) {
        inventoryAt = commit.position;
        for (const e of commit.events)
          if (e.type === 'VmDiscovered') {
            const vm = (e as unknown as { data: { vm: { name: string; key: string } } }).data.vm;
            inventory.set(vm.name, vm.key);
          }
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const keys = names.map((n) => inventory.get(n) as string);
    const verified = verifiedCounter(store);

    // 1,000 VMs selected at once → 1,000 jobs.
    const createSeconds = await selectionSeconds(nc, store, keys.slice(0, FIRST), 'bench-1000');
    await verified.until(FIRST);

    // One job at a time: the latency of each transition, not the queue behind 1,000 jobs.
    const { state } = await jsm.streams.info(STREAMS.events);
    for (let i = 0; i < SEQUENTIAL_JOBS; i++) {
      await publishCommand(jetstream(nc), {
        type: 'CreateMigrations',
        data: { vmKeys: [keys[i] as string] },
        metadata: { commandId: `bench-one-${i}` },
      });
      await verified.until(FIRST + i + 1);
    }
    await verified.close();
    const samples = await transitionTimes(nc, store, state.last_seq);
    // The whole fleet at once, every VM free again: the jobs made while the first ones already run.
    const fleetSeconds = await selectionSeconds(nc, store, keys, 'bench-fleet');
    samples.sort((a, b) => a - b);
    const pct = (q: number) =>
      samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] as number;
    const limitLine = (
      metric: string,
      value: number,
      unit: string,
      limit: number,
      rounds: number,
    ) => ({
      bench: 'pipeline',
      metric,
      value: Number(value.toPrecision(4)),
      unit,
      baseline: limit,
      ratio: Math.round((value / limit) * 100) / 100,
      goal: '<= 1',
      rounds,
    });
    return [
      limitLine('create_1000_jobs', createSeconds, 's', 5, 1),
      limitLine('create_10000_jobs', fleetSeconds, 's', 30, 1),
      limitLine('transition_p50', pct(0.5), 'ms', 5, samples.length),
      limitLine('transition_p99', pct(0.99), 'ms', 25, samples.length),
    ];
  } finally {
    await Promise.all(services.map((s) => s.stop()));
    await server.remove();
    rmSync(root, { recursive: true, force: true });
  }
}

/** Seconds from a CreateMigrations command sent to its outcome stored, every VM given a job. */
async function selectionSeconds(
  nc: Awaited<ReturnType<typeof connectNats>>,
  store: JetStreamEventStore,
  vmKeys: string[],
  commandId: string,
): Promise<number> {
  const started = performance.now();
  await publishCommand(jetstream(nc), {
    type: 'CreateMigrations',
    data: { vmKeys },
    metadata: { commandId },
  });
  const selection = `selection-${await selectionStreamId(commandId)}`;
  let events = (await store.read(selection)).events;
  while (events.length === 0) {
    await new Promise((r) => setTimeout(r, 5));
    events = (await store.read(selection)).events;
  }
  const seconds = (performance.now() - started) / 1000;
  const outcome = (events[0] as unknown as { data: { jobs: unknown[]; skipped: unknown[] } }).data;
  if (outcome.jobs.length !== vmKeys.length)
    throw new Error(
      `${commandId}: ${outcome.jobs.length} jobs of ${vmKeys.length} VMs (${outcome.skipped.length} skipped)`,
    );
  return seconds;
}

/** Counts MigrationVerified events as they are stored, from one live subscription (polling would load the server it measures). */
function verifiedCounter(store: JetStreamEventStore) {
  let count = 0;
  let wake: (() => void) | undefined;
  const subscription = store.subscribe(0, { category: 'migration' });
  void (async () => {
    for await (const commit of subscription) {
      count += commit.events.filter((e) => e.type === 'MigrationVerified').length;
      wake?.();
    }
  })();
  return {
    async until(n: number): Promise<void> {
      while (count < n) await new Promise<void>((resolve) => (wake = resolve));
    },
    close: () => subscription.close(),
  };
}

/** Milliseconds between each transition's two commits, by the server's clock. */
async function transitionTimes(
  nc: Awaited<ReturnType<typeof connectNats>>,
  store: JetStreamEventStore,
  after: number,
): Promise<number[]> {
  const consumer = await jetstream(nc).consumers.get(STREAMS.events, {
    filter_subjects: 'ferry.evt.migration.>',
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: after + 1,
  });
  const stored = new Map<string, Map<string, number>>();
  const messages = await consumer.fetch({ max_messages: 100_000, expires: 2_000 });
  for await (const m of messages) {
    const commit = store.commitOf<MigrationEvent>(m);
    if (!commit) throw new Error(`unreadable commit at ${m.seq}`);
    const times = stored.get(commit.streamName) ?? new Map<string, number>();
    for (const e of commit.events)
      if (!times.has(e.type)) times.set(e.type, Number(m.info.timestampNanos) / 1e6);
    stored.set(commit.streamName, times);
    if (m.info.pending === 0) break;
  }
  const samples: number[] = [];
  for (const [from, to] of TRANSITIONS) {
    const each: number[] = [];
    for (const times of stored.values()) {
      const a = times.get(from);
      const b = times.get(to);
      if (a !== undefined && b !== undefined) each.push(b - a);
    }
    each.sort((x, y) => x - y);
    // Where the time goes, on stderr: the measurement lines on stdout stay one per goal.
    process.stderr.write(
      `pipeline: ${from} → ${to}: p50 ${each[Math.floor(each.length / 2)]?.toFixed(2)} ms, p99 ${each[Math.floor(each.length * 0.99)]?.toFixed(2)} ms\n`,
    );
    samples.push(...each);
  }
  return samples;
}
