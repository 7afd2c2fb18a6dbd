import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { JetStreamEventStore } from '@ferry/event-store';
import { convertedJob, testVm } from '@ferry/stages/testing';
import { connectNats, provisionStreams, publishCommand } from '@ferry/messaging';
import { Glance, jobTag, loadCloudConfig, OpenStackHttp, OpenStackSession } from '@ferry/openstack';
import { eventually, loopbackOpenStack, startNatsServer, writeDataImage } from '@ferry/testing';
import { jobOutcome } from './job-outcome.ts';
import { compare, type Measurement } from './measure.ts';
import { rssMeasurement, startService } from './service-process.ts';

const GiB = 1024 ** 3;

/**
 * The image service (its own process) uploading a 1 GiB qcow2 to the loopback Glance, against
 * `curl -T` of the same file to the same Glance in the same run (throughput ratio, goal >= 0.97);
 * then the service's peak RSS while it uploads a 4 GiB image (goal < 150 MB).
 */
export async function uploadBench(): Promise<Measurement[]> {
  const cloud = loopbackOpenStack();
  const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-upload-'));
  const server = await startNatsServer();
  const http = new OpenStackHttp({ timeoutMs: 600_000, retries: 0 });
  const session = new OpenStackSession(loadCloudConfig({ env: cloud.env }), http);
  const glance = new Glance(session);
  const nc = await connectNats({ url: server.url, name: 'bench' });
  const service = startService('image', {
    ...cloud.env,
    NATS_URL: server.url,
    LOG_DIR: join(dir, 'logs'),
    IMAGE_CONCURRENCY: '1',
    FERRY_HOST: 'bench',
  });
  const made: string[] = [];
  try {
    await provisionStreams(await jetstreamManager(nc));
    const store = new JetStreamEventStore(nc);
    const qcow2 = (gib: number) => {
      const raw = join(dir, `${gib}.raw`);
      const file = join(dir, `${gib}.qcow2`);
      writeDataImage(raw, gib * GiB);
      execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, file]);
      rmSync(raw);
      return file;
    };
    let job = 0;
    const ferryUpload = async (file: string) => {
      const jobId = `upload-${job++}`;
      await convertedJob(store, jobId, {
        vm: {
          ...testVm,
          key: `ws-${jobId}`,
          name: jobId,
          disks: [
            { index: 0, controller: 'scsi', slot: 'scsi0:0', path: file, capacityBytes: GiB },
          ],
        },
        artifacts: [
          {
            diskIndex: 0,
            path: file,
            format: 'qcow2',
            virtualSize: 1,
            allocatedSize: 1,
            sizeBytes: statSync(file).size,
            modifiedAtMs: statSync(file).mtimeMs,
          },
        ],
      });
      const outcome = jobOutcome(nc, jobId, 'ImageUploadCompleted');
      const started = performance.now();
      await publishCommand(jetstream(nc), {
        type: 'UploadImage',
        data: { jobId, host: 'bench' },
        metadata: { commandId: `upload-${jobId}` },
      });
      await outcome.wait();
      const seconds = (performance.now() - started) / 1000;
      for (const image of await glance.list({ tag: jobTag(jobId) })) await glance.delete(image.id);
      return seconds;
    };
    const one = qcow2(1);
    const size = statSync(one).size;
    const throughput = await compare({
      bench: 'upload',
      metric: 'throughput_1GiB',
      unit: 'MB/s',
      goal: '>= 0.97',
      // 0.91 to 1.02 for the same code in 3 rounds: the median of 7 resolves the 3 % asked.
      rounds: 7,
      raw: async () => {
        const image = await glance.create({ name: 'bench-curl', diskFormat: 'qcow2' });
        made.push(image.id);
        const token = await session.token();
        const url = `${await session.endpoint('image')}/v2/images/${image.id}/file`;
        const started = performance.now();
        execFileSync('curl', [
          '-sS',
          '-f',
          '-T',
          one,
          '-H',
          `X-Auth-Token: ${token}`,
          '-H',
          'Content-Type: application/octet-stream',
          url,
        ]);
        await eventually(
          async () => (await glance.get(image.id))?.status === 'active',
          'curl upload active',
          { timeoutMs: 600_000, intervalMs: 20 },
        );
        const seconds = (performance.now() - started) / 1000;
        await glance.delete(image.id);
        return size / seconds / 1e6;
      },
      ferry: async () => size / (await ferryUpload(one)) / 1e6,
    });
    rmSync(one);
    await ferryUpload(qcow2(4));
    return [throughput, rssMeasurement('upload', service.peakRssMiB(), 150e6 / 2 ** 20)];
  } finally {
    await service.stop();
    for (const id of made) await glance.delete(id).catch(() => undefined);
    await nc.close();
    await http.close();
    await server.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}
