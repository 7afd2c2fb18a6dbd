import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { MigrationEvent, VmDescription } from '@ferry/contracts';
import { migrationDecider } from '@ferry/domain';
import { handleCommand, JetStreamEventStore } from '@ferry/event-store';
import { connectNats, provisionStreams, publishCommand } from '@ferry/messaging';
import { eventually, startNatsServer, writeDataImage } from '@ferry/testing';
import { compare, type Measurement } from './measure.ts';

const GiB = 1024 ** 3;
const SERVICE = resolve(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'services',
  'conversion',
  'dist',
  'main.js',
);

/**
 * The conversion service (its own process, on a real nats-server) converting a 2 GiB VMDK holding
 * 1.5 GiB of data, against raw `qemu-img convert` of the same file in the same run; and the
 * service's peak RSS meanwhile. monolithicSparse and streamOptimized.
 */
export async function conversionBench(): Promise<Measurement[]> {
  execFileSync('npx', ['nx', 'run', '@ferry/service-conversion:build', '--outputStyle=static'], {
    stdio: 'ignore',
  });
  const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-conv-'));
  const server = await startNatsServer();
  const out: Measurement[] = [];
  try {
    const raw = join(dir, 'disk.raw');
    writeDataImage(raw, 1.5 * GiB);
    execFileSync('truncate', ['-s', String(2 * GiB), raw]);

    const nc = await connectNats({ url: server.url, name: 'bench' });
    await provisionStreams(await jetstreamManager(nc));
    const store = new JetStreamEventStore(nc);
    const service = spawn(process.execPath, [SERVICE], {
      env: {
        ...process.env,
        NATS_URL: server.url,
        MIGRATION_OUTPUT_DIR: join(dir, 'out'),
        LOG_DIR: join(dir, 'logs'),
        CONVERSION_CONCURRENCY: '1',
      },
      stdio: 'ignore',
    });
    const peakRssMiB = () =>
      Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${service.pid}/status`, 'utf8'))?.[1] ?? 0) /
      1024;
    try {
      for (const subformat of ['monolithicSparse', 'streamOptimized'] as const) {
        const vmdk = join(dir, `${subformat}.vmdk`);
        execFileSync('qemu-img', [
          'convert',
          '-f',
          'raw',
          '-O',
          'vmdk',
          '-o',
          `subformat=${subformat}`,
          raw,
          vmdk,
        ]);
        let job = 0;
        const m = await compare({
          bench: 'conversion',
          metric: `wall_time_${subformat}`,
          unit: 's',
          goal: '<= 1.03',
          rounds: 3,
          raw: async () => {
            const target = join(dir, 'raw.qcow2');
            const started = performance.now();
            execFileSync('qemu-img', [
              'convert',
              '-f',
              'vmdk',
              '-O',
              'qcow2',
              '-o',
              'compat=1.1',
              vmdk,
              target,
            ]);
            const seconds = (performance.now() - started) / 1000;
            rmSync(target);
            return seconds;
          },
          ferry: async () => {
            const jobId = `${subformat}-${job++}`;
            await validatedJob(store, jobId, vmdk);
            const started = performance.now();
            await publishCommand(jetstream(nc), {
              type: 'ConvertDisks',
              data: { jobId },
              metadata: { commandId: `convert-${jobId}` },
            });
            await eventually(
              async () =>
                (await store.read<MigrationEvent>(`migration-${jobId}`)).events.at(-1)?.type ===
                'ConversionCompleted',
              `${jobId} converted`,
              { timeoutMs: 600_000, intervalMs: 20 },
            );
            const seconds = (performance.now() - started) / 1000;
            rmSync(join(dir, 'out', jobId), { recursive: true, force: true });
            return seconds;
          },
        });
        out.push(m);
      }
      const peak = peakRssMiB();
      out.push({
        bench: 'conversion',
        metric: 'service_peak_rss',
        value: Math.round(peak),
        unit: 'MiB',
        baseline: 200,
        ratio: Math.round((peak / 200) * 100) / 100,
        goal: '<= 1',
        rounds: 1,
      });
    } finally {
      service.kill('SIGTERM');
      await nc.close();
    }
  } finally {
    await server.remove();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

async function validatedJob(store: JetStreamEventStore, jobId: string, path: string) {
  const vm: VmDescription = {
    key: `ws-${jobId}`,
    name: jobId,
    source: { kind: 'workstation', id: '/bench' },
    cpus: 1,
    memoryMiB: 1024,
    firmware: 'bios',
    secureBoot: false,
    guestOs: 'other',
    powerState: 'poweredOff',
    hasSnapshots: false,
    disks: [{ index: 0, controller: 'scsi', slot: 'scsi0:0', path, capacityBytes: 2 * GiB }],
    nics: [],
  };
  const stream = `migration-${jobId}`;
  const ctx = (id: string) => ({ commandId: id, correlationId: id, now: new Date().toISOString() });
  await handleCommand(store, migrationDecider, stream, {
    type: 'CreateMigration',
    data: {
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
      flags: { realConversion: true, openstackDeployment: false, rollback: true },
    },
    metadata: ctx(`${jobId}-create`),
  });
  await handleCommand(store, migrationDecider, stream, {
    type: 'RecordValidation',
    data: { vm, checks: [{ name: 'disks-present', outcome: 'passed', detail: 'bench' }] },
    metadata: ctx(`${jobId}-validate`),
  });
}
