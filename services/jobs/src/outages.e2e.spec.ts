import { jetstreamManager, type StreamConfig } from '@nats-io/jetstream';
import { STREAMS, type MigrationEvent } from '@ferry/contracts';
import { startPipeline, type Pipeline } from '@ferry/pipeline-testing';
import { eventually, startFaultProxy, type FaultProxy } from '@ferry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const GLANCE = 'http://127.0.0.1:9292';
const KEYSTONE = 'http://127.0.0.1:5000/v3';
const minutes = (n: number) => n * 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** More memory than the project's quota: Nova refuses the server, and the job is rolled back. */
const greedy = `ferry-outage-greedy-${process.pid}`;

/**
 * What breaks between Ferry and the systems it uses, for minutes, while jobs run: a proxy in front
 * of Glance answering every request with a `200 text/html` page, Keystone gone while a rollback
 * needs it, the event store refusing every append. Every job still ends VERIFIED or ROLLED_BACK,
 * every command set aside has its job's failure recorded, and a rolled-back job leaves nothing.
 */
describe('outages of the cloud and of the store, while jobs run', () => {
  let p: Pipeline;
  let glance: FaultProxy;
  let keystone: FaultProxy;
  const jobs: string[] = [];

  beforeAll(async () => {
    glance = await startFaultProxy(GLANCE);
    keystone = await startFaultProxy(KEYSTONE);
    // A command comes back 5 s after its service stopped answering for it.
    p = await startPipeline({ NATS_ACK_WAIT_SECONDS: '5' });
    for (const name of ['discovery', 'jobs', 'conversion', 'compute'] as const) p.start(name);
    p.start('image', 'image', { OS_IMAGE_ENDPOINT_OVERRIDE: glance.url });
    // Rollback reaches Keystone only through its proxy, and Glance through the other one.
    p.start('rollback', 'rollback', {
      OS_AUTH_URL: keystone.url,
      OS_IMAGE_ENDPOINT_OVERRIDE: glance.url,
    });
    p.cloud.cli('flavor', 'create', '--vcpus', '1', '--ram', '4000000', '--disk', '1', greedy);
  }, minutes(10));
  afterAll(async () => {
    p?.cloud.run('flavor', 'delete', greedy);
    p?.removeResourcesOf(jobs);
    await p?.close();
    await glance?.close();
    await keystone?.close();
  });

  const job = async (name: string, options: object = {}) => {
    p.writeVm(name, { mib: 64 });
    const key = await p.discovered(name);
    const { jobs: created } = await p.migrate(`outage-${name}`, [key], {
      strategy: 'qemu-img',
      ...options,
    });
    const jobId = created[0]?.jobId as string;
    jobs.push(jobId);
    return jobId;
  };
  const reached = (jobId: string, type: MigrationEvent['type']) =>
    eventually(
      async () => (await p.events(jobId)).some((e) => e.type === type),
      `${jobId} ${type}`,
      {
        timeoutMs: minutes(3),
        intervalMs: 250,
      },
    );

  it(
    'Glance behind a proxy answering 200 text/html for 2 minutes: the upload waits, the job ends VERIFIED',
    async () => {
      await glance.mode('html');
      const jobId = await job('glance-html');
      await reached(jobId, 'ConversionCompleted');
      await sleep(minutes(2));
      expect(glance.counts.html).toBeGreaterThan(0);
      expect((await p.events(jobId)).some((e) => e.type === 'ImageUploadCompleted')).toBe(false);
      await glance.mode('pass');
      expect((await p.ended(jobId, minutes(4))).at(-1)?.type).toBe('MigrationVerified');
      expect(p.resourcesOf(jobId)).toMatchObject({
        servers: [expect.any(String)],
        images: [expect.any(String)],
      });
    },
    minutes(10),
  );

  it(
    'Keystone gone for 3 minutes during a rollback: it waits, then removes everything',
    async () => {
      const jobId = await job('keystone-gone', { flavor: greedy });
      // Gone before the rollback service first signs in: it has no token to carry it through.
      await keystone.mode('refuse');
      await reached(jobId, 'MigrationFailed');
      const goneAt = Date.now();
      await sleep(minutes(3));
      const during = (await p.events(jobId)).map((e) => e.type);
      expect(during).not.toContain('RollbackCompleted');
      await keystone.mode('pass');
      const events = await p.ended(jobId, minutes(5));
      expect(events.at(-1)).toMatchObject({
        type: 'RollbackCompleted',
        data: { outcome: 'complete' },
      });
      expect(Date.now() - goneAt).toBeGreaterThan(minutes(3));
      expect(p.resourcesOf(jobId)).toEqual({ servers: [], images: [], ports: [], volumes: [] });
      expect(p.filesOf(jobId)).toEqual([]);
    },
    minutes(12),
  );

  it(
    'the store refusing every append for 2 minutes: the stages wait, the job ends VERIFIED',
    async () => {
      const jobId = await job('store-full');
      await reached(jobId, 'ConversionStarted');
      // The event stream full, as a stream at its limits refuses writes: every append fails.
      const jsm = await jetstreamManager(p.nc);
      const { config, state } = await jsm.streams.info(STREAMS.events);
      await jsm.streams.update(STREAMS.events, {
        ...config,
        max_msgs: state.messages,
        discard: 'new',
      } as StreamConfig);
      const refusedAt = (await p.events(jobId)).length;
      await sleep(minutes(2));
      await jsm.streams.update(STREAMS.events, { ...config });
      expect((await p.events(jobId)).length).toBe(refusedAt);
      expect((await p.ended(jobId, minutes(5))).at(-1)?.type).toBe('MigrationVerified');
      expect(p.resourcesOf(jobId)).toMatchObject({
        servers: [expect.any(String)],
        images: [expect.any(String)],
      });
    },
    minutes(10),
  );

  it('every job ended VERIFIED or ROLLED_BACK, and every command set aside has its failure recorded', async () => {
    const endings = await Promise.all(jobs.map(async (id) => (await p.events(id)).at(-1)?.type));
    expect(endings.sort()).toEqual(['MigrationVerified', 'MigrationVerified', 'RollbackCompleted']);
    const jsm = await jetstreamManager(p.nc);
    const { state } = await jsm.streams.info(STREAMS.deadLetters);
    for (let seq = state.first_seq; seq > 0 && seq <= state.last_seq; seq++) {
      const m = await jsm.streams.getMessage(STREAMS.deadLetters, { seq }).catch(() => undefined);
      const jobId = (m?.json<{ data?: { jobId?: string } }>().data ?? {}).jobId;
      if (!jobId) continue;
      const failed = (await p.events(jobId)).filter((e) => e.type === 'MigrationFailed');
      expect(failed.length, `${m?.subject} of ${jobId}`).toBeGreaterThan(0);
    }
  });
});
