import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MigrationEvent } from '@ferry/contracts';
import { migrationStream } from '@ferry/contracts';
import { JetStreamEventStore } from '@ferry/event-store';
import {
  commandContext,
  delivered,
  discoveredJob,
  failedJob,
  natsWithStreams,
} from '@ferry/stages/testing';
import {
  Cinder,
  Glance,
  loadCloudConfig,
  Neutron,
  Nova,
  OpenStackHttp,
  OpenStackSession,
} from '@ferry/openstack';
import { freePort, loopbackOpenStack, type LoopbackOpenStack } from '@ferry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deployedThenFailed,
  jobFolder,
  jobImage,
  leftInOpenStack,
  stepsOf,
  vmOf,
} from './failed-job.fixtures.ts';
import { rollBackJob, type RollbackDeps } from './rollback-job.ts';

// Job ids of this run: a warm cloud keeps what earlier runs left, and tags find resources by job.
const run = randomBytes(3).toString('hex');

describe('the rollback service against a real Nova, Neutron, Cinder and Glance', () => {
  let cloud: LoopbackOpenStack;
  let nats: Awaited<ReturnType<typeof natsWithStreams>>;
  let store: JetStreamEventStore;
  let http: OpenStackHttp;
  let deps: RollbackDeps;
  let dir: string;
  let qcow2: string;
  const leftovers: string[] = [];

  const events = async (jobId: string) =>
    (await store.read<MigrationEvent>(migrationStream(jobId))).events;
  const rollBack = (jobId: string, commandId: string, with_: Partial<RollbackDeps> = {}) =>
    rollBackJob({ ...deps, ...with_ }, jobId, commandContext(commandId), delivered());
  const artifact = (path: string) => ({
    diskIndex: 0,
    path,
    format: 'qcow2' as const,
    virtualSize: 1,
    allocatedSize: 1,
    sha256: 'a'.repeat(64),
  });

  beforeAll(async () => {
    cloud = loopbackOpenStack();
    nats = await natsWithStreams();
    store = new JetStreamEventStore(await nats.connect());
    http = new OpenStackHttp({ timeoutMs: 60_000, retries: 2 });
    const session = new OpenStackSession(loadCloudConfig({ env: cloud.env }), http);
    dir = mkdtempSync(join(tmpdir(), 'ferry-rollback-'));
    deps = {
      runner: { store, nc: await nats.connect(), service: 'rollback', leaseMs: 60_000 },
      nova: new Nova(session),
      neutron: new Neutron(session),
      cinder: new Cinder(session),
      glance: new Glance(session),
      outputDir: join(dir, 'out'),
      keep: [],
      goneTimeoutMs: 120_000,
      pollMs: 250,
      backoff: { attempts: 6, firstDelayMs: 250, maxDelayMs: 2000, unreachableForMs: 60_000 },
    };
    qcow2 = join(dir, 'boot.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', qcow2, '64M']);
  }, 20 * 60_000);

  afterAll(async () => {
    for (const id of leftovers) await deps.glance.delete(id);
    await http.close();
    await nats.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('removes the server, its port and attached volume, the images (one never recorded) and the job folder, in that order; a second run changes nothing', async () => {
    const jobId = `${run}-rb1`;
    const { recorded, orphan, folder } = await deployedThenFailed(
      { cloud, store, nova: deps.nova, outputDir: deps.outputDir, qcow2 },
      jobId,
    );
    const id = (kind: string) => recorded.find((r) => r.kind === kind)?.id;
    await rollBack(jobId, `rollback-${jobId}`);

    const after = await events(jobId);
    expect(stepsOf(after)).toEqual([
      ['server', id('server'), 'deleted'],
      ['port', id('port'), 'deleted'],
      ['volume', id('volume'), 'deleted'],
      ['image', id('image'), 'deleted'],
      ['image', orphan, 'deleted'],
      ['artifact', id('artifact'), 'deleted'],
      ['artifact', folder, 'deleted'],
    ]);
    expect(after.at(-1)).toMatchObject({
      type: 'RollbackCompleted',
      data: { outcome: 'complete', deleted: 7, alreadyAbsent: 0, kept: 0, failed: 0 },
    });
    expect(leftInOpenStack(cloud, jobId, [id('volume') as string])).toEqual({
      servers: [],
      ports: [],
      volumes: [],
      images: [],
    });
    expect(existsSync(folder)).toBe(false);

    await rollBack(jobId, `rollback-${jobId}-again`);
    expect(await events(jobId)).toHaveLength(after.length);
  }, 300_000);

  it('records a resource deleted by hand, and a file that is gone, as already absent', async () => {
    const jobId = `${run}-rb2`;
    const image = jobImage(cloud, jobId, jobId, qcow2);
    await failedJob(store, jobId, {
      vm: vmOf(jobId),
      artifacts: [artifact(join(deps.outputDir, jobId, 'never-written.qcow2'))],
      resources: [{ kind: 'image', id: image }],
    });
    cloud.cli('image', 'show', image); // there until deleted by hand
    execFileSync('openstack', ['image', 'delete', image], {
      env: { PATH: '/usr/bin:/bin', ...cloud.env },
    });
    await rollBack(jobId, `rollback-${jobId}`);
    const after = await events(jobId);
    expect(stepsOf(after)).toEqual([
      ['image', image, 'already-absent'],
      ['artifact', join(deps.outputDir, jobId, 'never-written.qcow2'), 'already-absent'],
    ]);
    expect(after.at(-1)).toMatchObject({
      type: 'RollbackCompleted',
      data: { outcome: 'complete', deleted: 0, alreadyAbsent: 2 },
    });
  }, 120_000);

  it('with ROLLBACK_KEEP=image, keeps the images (recorded or not) and removes the rest', async () => {
    const jobId = `${run}-rb3`;
    const image = jobImage(cloud, jobId, jobId, qcow2);
    const orphan = jobImage(cloud, jobId, `${jobId}-unrecorded`, qcow2);
    leftovers.push(image, orphan);
    const { folder, disk } = jobFolder(deps.outputDir, jobId);
    await failedJob(store, jobId, {
      vm: vmOf(jobId),
      artifacts: [artifact(disk)],
      resources: [{ kind: 'image', id: image }],
    });
    await rollBack(jobId, `rollback-${jobId}`, { keep: ['image'] });
    const after = await events(jobId);
    expect(after.find((e) => e.type === 'RollbackStarted')?.data).toMatchObject({
      keep: ['image'],
    });
    expect(stepsOf(after)).toEqual([
      ['image', image, 'kept'],
      ['image', orphan, 'kept'],
      ['artifact', disk, 'deleted'],
      ['artifact', folder, 'deleted'],
    ]);
    expect(leftInOpenStack(cloud, jobId, []).images.sort()).toEqual([image, orphan].sort());
    expect(existsSync(folder)).toBe(false);
  }, 120_000);

  it('without an OpenStack configured, fails the OpenStack steps saying so and still removes the files', async () => {
    const jobId = `${run}-rb4`;
    const unconfigured = new OpenStackSession(
      () => loadCloudConfig({ env: { INIT_CWD: dir, XDG_CONFIG_HOME: dir } }),
      http,
    );
    const { folder, disk } = jobFolder(deps.outputDir, jobId);
    const image = randomUUID();
    await failedJob(store, jobId, {
      vm: vmOf(jobId),
      artifacts: [artifact(disk)],
      resources: [{ kind: 'image', id: image }],
    });
    await rollBack(jobId, `rollback-${jobId}`, {
      nova: new Nova(unconfigured),
      neutron: new Neutron(unconfigured),
      cinder: new Cinder(unconfigured),
      glance: new Glance(unconfigured),
    });
    const after = await events(jobId);
    expect(after.filter((e) => e.type === 'RollbackStepCompleted').map((e) => e.data)).toEqual([
      expect.objectContaining({
        resource: { kind: 'image', id: image },
        outcome: 'failed',
        detail: expect.stringMatching(
          /^no OpenStack configured: no cloud openstack in clouds.yaml/,
        ),
      }),
      expect.objectContaining({ resource: { kind: 'artifact', id: disk }, outcome: 'deleted' }),
      expect.objectContaining({
        resource: { kind: 'artifact', id: folder, name: 'job folder' },
        outcome: 'deleted',
      }),
    ]);
    expect(after.at(-1)).toMatchObject({
      type: 'RollbackCompleted',
      data: { outcome: 'incomplete', deleted: 2, failed: 1 },
    });
    expect(existsSync(folder)).toBe(false);
  }, 60_000);

  it('waits for an OpenStack that does not answer until its deadline, then records what it could not remove', async () => {
    const jobId = `${run}-rb6`;
    const port = await freePort();
    const silent = new OpenStackSession(
      () =>
        loadCloudConfig({
          env: {
            INIT_CWD: dir,
            XDG_CONFIG_HOME: dir,
            OS_AUTH_URL: `http://127.0.0.1:${port}/v3`,
            OS_USERNAME: 'ferry',
            OS_PASSWORD: 'secret',
            OS_PROJECT_NAME: 'ferry',
            OS_USER_DOMAIN_NAME: 'Default',
            OS_PROJECT_DOMAIN_NAME: 'Default',
          },
        }),
      new OpenStackHttp({ timeoutMs: 2_000, retries: 0 }),
    );
    const { folder, disk } = jobFolder(deps.outputDir, jobId);
    await failedJob(store, jobId, {
      vm: vmOf(jobId),
      artifacts: [artifact(disk)],
      resources: [{ kind: 'image', id: randomUUID() }],
    });
    const before = (await events(jobId)).length;
    const started = Date.now();
    const rolling = rollBack(jobId, `rollback-${jobId}`, {
      nova: new Nova(silent),
      neutron: new Neutron(silent),
      cinder: new Cinder(silent),
      glance: new Glance(silent),
      backoff: { attempts: 2, firstDelayMs: 250, maxDelayMs: 500, unreachableForMs: 4_000 },
    });
    // Nothing is started blind while the cloud could still answer: only the stage is claimed.
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await events(jobId)).slice(before).map((e) => e.type)).toEqual(['StageClaimed']);
    await rolling;
    const after = (await events(jobId)).slice(before);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_000);
    const steps = after.filter((e) => e.type === 'RollbackStepCompleted');
    // The image could not be reached; the disk and the job's folder (found by the sweep) are gone.
    expect(steps.map((e) => [e.data.resource.kind, e.data.outcome])).toEqual([
      ['image', 'failed'],
      ['artifact', 'deleted'],
      ['artifact', 'deleted'],
    ]);
    expect(after.at(-1)).toMatchObject({
      type: 'RollbackCompleted',
      data: { outcome: 'incomplete', failed: 1 },
    });
    expect(existsSync(folder)).toBe(false);
  }, 60_000);

  it('leaves alone a job that has not failed', async () => {
    const jobId = `${run}-rb5`;
    await discoveredJob(store, jobId);
    const before = await events(jobId);
    await rollBack(jobId, `rollback-${jobId}`);
    expect(await events(jobId)).toHaveLength(before.length);
  });
});
