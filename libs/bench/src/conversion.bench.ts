import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { JetStreamEventStore } from '@ferry/event-store';
import { discoveredJob } from '@ferry/stages/testing';
import { connectNats, provisionStreams, publishCommand } from '@ferry/messaging';
import { startNatsServer, vmdkOf, writeDataImage } from '@ferry/testing';
import { dropCaches } from './drop-caches.ts';
import { jobOutcome } from './job-outcome.ts';
import { oneDiskVm, rawConvertArgs } from './one-disk-job.ts';
import { compare, type Measurement } from './measure.ts';
import { rssMeasurement, startService } from './service-process.ts';

const GiB = 1024 ** 3;

/**
 * The conversion service (its own process, on a real nats-server) converting a 2 GiB VMDK holding
 * 1.5 GiB of data, against raw `qemu-img convert` of the same file in the same run; and the
 * service's peak RSS meanwhile. monolithicSparse and streamOptimized. Every run starts with a cold
 * page cache; the raw side then fsyncs its output, as Ferry does before recording an artifact.
 */
export async function conversionBench(): Promise<Measurement[]> {
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
    const service = startService('conversion', {
      NATS_URL: server.url,
      MIGRATION_OUTPUT_DIR: join(dir, 'out'),
      LOG_DIR: join(dir, 'logs'),
      CONVERSION_CONCURRENCY: '1',
    });
    try {
      for (const subformat of ['monolithicSparse', 'streamOptimized'] as const) {
        const vmdk = join(dir, `${subformat}.vmdk`);
        vmdkOf(raw, vmdk, subformat);
        let job = 0;
        // Both sides start from a cold page cache and end with the image on disk, as a real migration
        // does (the notes' method). Ferry hashes the image as it uploads it, not here.
        const rawConvert = async (synced: boolean) => {
          const target = join(dir, 'raw.qcow2');
          dropCaches();
          const started = performance.now();
          execFileSync('qemu-img', rawConvertArgs(vmdk, target));
          if (synced) execFileSync('sync', [target]);
          const seconds = (performance.now() - started) / 1000;
          // Written out before it is removed, untimed: its writeback must not land in the next run.
          if (!synced) execFileSync('sync', [target]);
          rmSync(target);
          return seconds;
        };
        const ferry = async () => {
          const jobId = `${subformat}-${job++}`;
          await discoveredJob(store, jobId, { vm: oneDiskVm(jobId, vmdk, 2 * GiB, subformat) });
          const outcome = jobOutcome(nc, jobId, 'ConversionCompleted');
          dropCaches();
          const started = performance.now();
          await publishCommand(jetstream(nc), {
            type: 'ConvertDisks',
            data: { jobId },
            metadata: { commandId: `convert-${jobId}` },
          });
          await outcome.wait();
          const seconds = (performance.now() - started) / 1000;
          rmSync(join(dir, 'out', jobId), { recursive: true, force: true });
          return seconds;
        };
        const m = await compare({
          bench: 'conversion',
          metric: `wall_time_${subformat}`,
          unit: 's',
          goal: '<= 1.03',
          // A run of 2 s varies by ±5 % here (the disk): the median of 9 resolves the 3 % asked.
          rounds: 9,
          raw: async () => rawConvert(true),
          ferry,
        });
        out.push(m);
        // For the record: against qemu-img convert alone, its output still in the page cache.
        out.push(
          await compare({
            bench: 'conversion',
            metric: `wall_time_${subformat}_vs_convert_unsynced`,
            unit: 's',
            goal: '<= 1.5',
            rounds: 5,
            raw: async () => rawConvert(false),
            ferry,
          }),
        );
      }
      // 200 MB, as the issue asks: 190.7 MiB.
      out.push(rssMeasurement('conversion', service.peakRssMiB(), 200e6 / 2 ** 20));
    } finally {
      await service.stop();
      await nc.close();
    }
  } finally {
    await server.remove();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
