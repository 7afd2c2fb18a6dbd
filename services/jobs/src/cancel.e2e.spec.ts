import { jetstream } from '@nats-io/jetstream';
import type { MigrationEvent, MigrationStage } from '@ferry/contracts';
import { publishCommand } from '@ferry/messaging';
import { startPipeline, type Pipeline } from '@ferry/pipeline-testing';
import { eventually, startFaultProxy, type FaultProxy } from '@ferry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const NOVA = 'http://127.0.0.1:8774/v2.1';
const GLANCE = 'http://127.0.0.1:9292';
const minutes = (n: number) => n * 60_000;

/** Where to cancel each job: once this has happened, the job is in that stage. */
const CANCEL_WHEN: Readonly<Record<MigrationStage, (e: MigrationEvent) => boolean>> = {
  validation: (e) => e.type === 'MigrationCreated',
  conversion: (e) => e.type === 'ConversionProgressed',
  upload: (e) => e.type === 'ImageUploadStarted',
  deployment: (e) => e.type === 'StageClaimed' && e.data.stage === 'deployment',
  verification: (e) => e.type === 'ServerDeployed',
};

/**
 * A cancel in each stage, on the real services: whatever runs stops (the converter, the upload, the
 * server's build, the polling), the rollback begins only once the stage has let go, and nothing of
 * the job is left. The stages are slowed so that each job is caught in its own: Nova answers late
 * (a delaying proxy), Glance takes uploads slowly (a throttle), one disk is large.
 */
describe('a cancel in each stage', () => {
  let p: Pipeline;
  let nova: FaultProxy;
  let glance: FaultProxy;
  const jobs = new Map<MigrationStage, string>();

  beforeAll(async () => {
    nova = await startFaultProxy(NOVA, { delayMs: 1_500 });
    glance = await startFaultProxy(GLANCE, { bytesPerSecond: 4 * 1024 * 1024 });
    await nova.mode('delay');
    await glance.mode('throttle');
    p = await startPipeline({
      OS_COMPUTE_ENDPOINT_OVERRIDE: nova.url,
      OS_IMAGE_ENDPOINT_OVERRIDE: glance.url,
    });
    for (const name of ['discovery', 'jobs', 'conversion', 'image', 'compute', 'rollback'] as const)
      p.start(name);
  }, minutes(10));
  afterAll(async () => {
    p?.removeResourcesOf([...jobs.values()]);
    await p?.close();
    await nova?.close();
    await glance?.close();
  });

  it(
    'validation, conversion, upload, deployment, verification: ROLLED_BACK, nothing left',
    async () => {
      const js = jetstream(p.nc);
      const stages = Object.keys(CANCEL_WHEN) as MigrationStage[];
      const sizes: Record<MigrationStage, number> = {
        validation: 16,
        conversion: 1024,
        upload: 96,
        deployment: 16,
        verification: 16,
      };
      // Written first, one after another: writing a disk holds this process for a while.
      for (const stage of stages) p.writeVm(`cancel-${stage}`, { mib: sizes[stage] });
      await Promise.all(
        stages.map(async (stage) => {
          const key = await p.discovered(`cancel-${stage}`);
          const { jobs: created } = await p.migrate(`cancel-${stage}`, [key], {
            strategy: 'qemu-img',
            bootMode: 'image',
          });
          const jobId = created[0]?.jobId as string;
          jobs.set(stage, jobId);
          await eventually(
            async () => (await p.events(jobId)).some(CANCEL_WHEN[stage]),
            `${jobId} in ${stage}`,
            // The later stages wait behind the others' conversions and uploads on a loaded machine.
            { timeoutMs: minutes(6), intervalMs: 100 },
          ).catch(async (error: unknown) => {
            // What the job did instead, and where every other job was.
            const story = async (id: string) =>
              (await p.events(id))
                .map((e) => (e.type === 'MigrationFailed' ? JSON.stringify(e.data) : e.type))
                .join(' ');
            const others = await Promise.all(
              [...jobs].map(async ([s, id]) => `${s}: ${await story(id)}`),
            );
            throw new Error(`${(error as Error).message}; the jobs: ${others.join(' | ')}`, {
              cause: error,
            });
          });
          await publishCommand(js, {
            type: 'CancelMigration',
            data: { jobId, reason: `cancelled in ${stage}` },
            metadata: { commandId: `cancel-${jobId}` },
          });
        }),
      );
      for (const stage of stages) {
        const jobId = jobs.get(stage) as string;
        const events = await p.ended(jobId, minutes(5));
        const types = events.map((e) => e.type);
        expect(events.find((e) => e.type === 'MigrationFailed')?.data, stage).toMatchObject({
          stage,
          code: 'cancelled',
        });
        expect(events.at(-1), stage).toMatchObject({
          type: 'RollbackCompleted',
          data: { outcome: 'complete', failed: 0 },
        });
        // A stage under a lease let go of it before the rollback began: it had stopped.
        if (stage === 'conversion' || stage === 'upload' || stage === 'deployment') {
          const released = types.lastIndexOf('StageReleased');
          expect(released, stage).toBeGreaterThan(types.indexOf('MigrationFailed'));
          expect(released, stage).toBeLessThan(types.indexOf('RollbackStarted'));
        }
        expect(p.resourcesOf(jobId), stage).toEqual({
          servers: [],
          images: [],
          ports: [],
          volumes: [],
        });
        expect(p.filesOf(jobId), stage).toEqual([]);
      }
    },
    minutes(14),
  );
});
