import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { STREAMS } from '@ferry/contracts';
import { JetStreamEventStore } from '@ferry/event-store';
import { discoveredJob } from '@ferry/stages/testing';
import { connectNats, provisionStreams, publishCommand } from '@ferry/messaging';
import { startNatsServer, vmdkOf, writeDataImage } from '@ferry/testing';
import { dropCaches } from './drop-caches.ts';
import { jobOutcome } from './job-outcome.ts';
import { oneDiskVm, rawConvertArgs } from './one-disk-job.ts';
import { median, type Measurement } from './measure.ts';
import { startService, type ServiceProcess } from './service-process.ts';

const run = promisify(execFile);
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const VMS = 8;
const ROUNDS = 3;
/** Each VM's disk: 1 GiB, three quarters of it data. */
const DISK_BYTES = GiB;
const DATA_BYTES = 0.75 * GiB;

/**
 * Eight 1 GiB VMs converted for real on this host, two at a time: by one conversion replica of
 * concurrency 2, by two replicas of concurrency 1, and by raw `qemu-img convert` (+ `sync`) run two
 * at a time. Throughput in MiB/s of the VMs' disks; each run starts from a cold page cache.
 */
export async function fleetBench(): Promise<Measurement[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-fleet-'));
  const server = await startNatsServer();
  try {
    const raw = join(dir, 'disk.raw');
    writeDataImage(raw, DATA_BYTES);
    execFileSync('truncate', ['-s', String(DISK_BYTES), raw]);
    // Eight files, so that no VM is read from another's cached pages.
    const vmdks = Array.from({ length: VMS }, (_, i) => {
      const vmdk = join(dir, `vm-${i}.vmdk`);
      vmdkOf(raw, vmdk, 'monolithicSparse');
      return vmdk;
    });
    rmSync(raw);
    const nc = await connectNats({ url: server.url, name: 'bench' });
    await provisionStreams(await jetstreamManager(nc));
    const store = new JetStreamEventStore(nc);
    const out = join(dir, 'out');
    const rawTimes: number[] = [];
    const oneTimes: number[] = [];
    const twoTimes: number[] = [];
    try {
      for (let round = 0; round < ROUNDS; round++) {
        rawTimes.push(await rawTwoAtATime(vmdks, join(dir, 'raw-out')));
        oneTimes.push(
          await withReplicas(dir, nc, server.url, [2], () =>
            fleetRun(nc, store, vmdks, `one-${round}`, out),
          ),
        );
        twoTimes.push(
          await withReplicas(dir, nc, server.url, [1, 1], () =>
            fleetRun(nc, store, vmdks, `two-${round}`, out),
          ),
        );
      }
    } finally {
      await nc.close();
    }
    const mibPerSecond = (seconds: number) => (VMS * DISK_BYTES) / MiB / seconds;
    const rawRate = mibPerSecond(median(rawTimes));
    const oneRate = mibPerSecond(median(oneTimes));
    const twoRate = mibPerSecond(median(twoTimes));
    const line = (metric: string, value: number, baseline: number, goal: string) => ({
      bench: 'fleet',
      metric,
      value: Math.round(value),
      unit: 'MiB/s',
      baseline: Math.round(baseline),
      ratio: Math.round((value / baseline) * 100) / 100,
      goal,
      rounds: ROUNDS,
    });
    return [
      line('throughput_one_replica_concurrency_2', oneRate, rawRate, '>= 0.9'),
      line('throughput_two_replicas_concurrency_1', twoRate, rawRate, '>= 0.9'),
      // Within 10 % of each other: the slower of the two against the faster.
      line(
        'replicas_against_concurrency',
        Math.min(oneRate, twoRate),
        Math.max(oneRate, twoRate),
        '>= 0.9',
      ),
    ];
  } finally {
    await server.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Raw qemu-img on every disk, two at a time, each output fsynced as Ferry's are: seconds. */
async function rawTwoAtATime(vmdks: readonly string[], outDir: string): Promise<number> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  dropCaches();
  const started = performance.now();
  const queue = [...vmdks.entries()];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [i, vmdk] = next;
      const target = join(outDir, `vm-${i}.qcow2`);
      await run('qemu-img', rawConvertArgs(vmdk, target));
      await run('sync', [target]);
    }
  };
  await Promise.all([worker(), worker()]);
  const seconds = (performance.now() - started) / 1000;
  rmSync(outDir, { recursive: true, force: true });
  return seconds;
}

/** Conversion replicas of the given concurrencies, started and ready for `work`, then stopped. */
async function withReplicas(
  dir: string,
  nc: NatsConnection,
  natsUrl: string,
  concurrencies: readonly number[],
  work: () => Promise<number>,
): Promise<number> {
  const replicas: ServiceProcess[] = concurrencies.map((concurrency, i) =>
    startService('conversion', {
      NATS_URL: natsUrl,
      MIGRATION_OUTPUT_DIR: join(dir, 'out'),
      LOG_DIR: join(dir, `logs-${i}`),
      CONVERSION_CONCURRENCY: String(concurrency),
    }),
  );
  try {
    // Timed from when every replica pulls, not from its start-up.
    const jsm = await jetstreamManager(nc);
    for (;;) {
      const info = await jsm.consumers.info(STREAMS.commands, 'conversion').catch(() => undefined);
      if ((info?.num_waiting ?? 0) >= concurrencies.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return await work();
  } finally {
    await Promise.all(replicas.map((r) => r.stop()));
  }
}

/** Every VM's conversion sent at once; seconds until the last one completed. */
async function fleetRun(
  nc: NatsConnection,
  store: JetStreamEventStore,
  vmdks: readonly string[],
  prefix: string,
  out: string,
): Promise<number> {
  const jobIds = vmdks.map((_, i) => `${prefix}-${i}`);
  for (const [i, jobId] of jobIds.entries())
    await discoveredJob(store, jobId, {
      vm: oneDiskVm(jobId, vmdks[i] as string, DISK_BYTES, 'monolithicSparse'),
    });
  const outcomes = jobIds.map((jobId) => jobOutcome(nc, jobId, 'ConversionCompleted'));
  dropCaches();
  const started = performance.now();
  for (const jobId of jobIds)
    await publishCommand(jetstream(nc), {
      type: 'ConvertDisks',
      data: { jobId },
      metadata: { commandId: `convert-${jobId}` },
    });
  await Promise.all(outcomes.map((o) => o.wait()));
  const seconds = (performance.now() - started) / 1000;
  for (const jobId of jobIds) rmSync(join(out, jobId), { recursive: true, force: true });
  return seconds;
}
