import type { MigrationEvent } from '@ferry/contracts';
import { startPipeline, type Pipeline } from '@ferry/pipeline-testing';
import { eventually, startFaultProxy, type FaultProxy } from '@ferry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const GLANCE = 'http://127.0.0.1:9292';
const minutes = (n: number) => n * 60_000;
const MiB = 1024 * 1024;

/**
 * Glance behind something that stops reading an upload after its first MiB (a stuck proxy, a full
 * disk): the upload must not hold its command forever. Its deadline (the request timeout plus its
 * size at the slowest rate allowed) ends it, the job fails, and rollback removes the half-made image.
 */
describe('an upload whose reader stops after 1 MiB', () => {
  let p: Pipeline;
  let glance: FaultProxy;
  let jobId: string;

  beforeAll(async () => {
    glance = await startFaultProxy(GLANCE, { stallAfterBytes: MiB });
    await glance.mode('stall-upload');
    // Deadline: 10 s + the artifact's size at 1 MiB/s.
    p = await startPipeline({ OPENSTACK_TIMEOUT_SECONDS: '10', UPLOAD_MIN_MIB_PER_SECOND: '1' });
    for (const name of ['discovery', 'jobs', 'conversion', 'compute', 'rollback'] as const)
      p.start(name);
    p.start('image', 'image', { OS_IMAGE_ENDPOINT_OVERRIDE: glance.url });
  }, minutes(10));
  afterAll(async () => {
    if (jobId) p?.removeResourcesOf([jobId]);
    await p?.close();
    await glance?.close();
  });

  it(
    'fails on its deadline (budget + 60 s at most), and its image is removed',
    async () => {
      p.writeVm('stalled', { mib: 16 });
      const key = await p.discovered('stalled');
      jobId = (await p.migrate('stalled', [key], { strategy: 'qemu-img' })).jobs[0]
        ?.jobId as string;
      const started = await eventually(
        async () => (await p.events(jobId)).find((e) => e.type === 'ImageUploadStarted'),
        'the upload started',
        { timeoutMs: minutes(3), intervalMs: 100 },
      );
      const events = await p.ended(jobId, minutes(4));
      expect(glance.counts.stalled).toBeGreaterThan(0);
      const artifact = (
        events.find((e) => e.type === 'ConversionCompleted') as Extract<
          MigrationEvent,
          { type: 'ConversionCompleted' }
        >
      ).data.artifacts[0];
      const budgetMs = 10_000 + ((artifact?.allocatedSize ?? 0) / MiB) * 1000;
      const failed = events.find((e) => e.type === 'MigrationFailed');
      expect(failed?.data).toMatchObject({ stage: 'upload', code: 'timeout', retryable: true });
      const tookMs =
        Date.parse(failed?.metadata.occurredAt ?? '') - Date.parse(started.metadata.occurredAt);
      expect(tookMs).toBeLessThanOrEqual(budgetMs + 60_000);
      expect(events.at(-1)).toMatchObject({
        type: 'RollbackCompleted',
        data: { outcome: 'complete' },
      });
      expect(p.resourcesOf(jobId).images).toEqual([]);
    },
    minutes(8),
  );
});
