import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import type { MigrationEvent } from '@ferry/contracts';
import { migrationStream } from '@ferry/contracts';
import { JetStreamEventStore } from '@ferry/event-store';
import { natsWithStreams, convertedJob, testVm } from '@ferry/stages/testing';
import { publishCommand } from '@ferry/messaging';
import { jobTag } from '@ferry/openstack';
import { eventually, loopbackOpenStack, startBuiltService, writeDataImage } from '@ferry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MiB = 1024 * 1024;

describe('the image service killed mid-upload and asked again', () => {
  let dir: string;
  let nats: Awaited<ReturnType<typeof natsWithStreams>>;
  const jobId = `kill-${randomBytes(3).toString('hex')}`;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-image-kill-'));
    nats = await natsWithStreams();
  });
  afterAll(async () => {
    await nats.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves exactly one image for the disk, active, as the openstack CLI sees it', async () => {
    const cloud = loopbackOpenStack();
    const store = new JetStreamEventStore(await nats.connect());
    const js = jetstream(await nats.connect());
    const raw = join(dir, 'disk.raw');
    const artifact = join(dir, 'disk.qcow2');
    writeDataImage(raw, 768 * MiB);
    execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, artifact]);
    await convertedJob(store, jobId, {
      vm: {
        ...testVm,
        key: `ws-${jobId}`,
        name: jobId,
        disks: [
          { index: 0, controller: 'scsi', slot: 'scsi0:0', path: raw, capacityBytes: 768 * MiB },
        ],
      },
      artifacts: [
        {
          diskIndex: 0,
          path: artifact,
          format: 'qcow2',
          virtualSize: 768 * MiB,
          allocatedSize: statSync(artifact).blocks * 512,
          sizeBytes: statSync(artifact).size,
          modifiedAtMs: statSync(artifact).mtimeMs,
        },
      ],
    });
    // The uploads of the disks converted on this host come on its subject.
    const host = 'e2e-host';
    const env = {
      ...cloud.env,
      NATS_URL: nats.server.url,
      LOG_DIR: join(dir, 'logs'),
      FERRY_HOST: host,
      // The killed holder's lease lapses after 30 s (and 15 s of grace), not the default 120 s:
      // the second service takes the stage over that much sooner.
      STAGE_LEASE_SECONDS: '30',
    };
    const images = () =>
      cloud.cli<{ ID: string; Status: string }[]>('image', 'list', '--tag', jobTag(jobId));
    const last = async () =>
      (await store.read<MigrationEvent>(migrationStream(jobId))).events.at(-1);

    const first = startBuiltService('image', env);
    await publishCommand(js, {
      type: 'UploadImage',
      data: { jobId, host },
      metadata: { commandId: `upload-${jobId}` },
    });
    // Killed once the image exists and its data is on the way.
    await eventually(async () => (await last())?.type === 'ImageUploadStarted', 'upload started', {
      timeoutMs: 60_000,
      intervalMs: 50,
    });
    await first.kill();
    expect(images()).toHaveLength(1);
    expect(images()[0]?.Status).not.toBe('active');

    const second = startBuiltService('image', env);
    try {
      await publishCommand(js, {
        type: 'UploadImage',
        data: { jobId, host },
        metadata: { commandId: `upload-${jobId}-again` },
      });
      await eventually(
        async () => (await last())?.type === 'ImageUploadCompleted',
        'upload completed',
        { timeoutMs: 300_000, intervalMs: 200 },
      );
    } finally {
      await second.stop();
    }
    const after = images();
    expect(after.map((i) => i.Status)).toEqual(['active']);
    execFileSync('openstack', ['image', 'delete', after[0]?.ID ?? ''], {
      env: { PATH: '/usr/bin:/bin', ...cloud.env },
    });
  }, 600_000);
});
