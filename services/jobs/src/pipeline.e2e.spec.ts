import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { EventOf, MigrationEvent } from '@ferry/contracts';
import { jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobIdFor } from './job-id.ts';
import { PIPELINE_SERVICES, startPipeline, type Pipeline } from '@ferry/pipeline-testing';

const run = promisify(execFile);
/** The `ferry` CLI, run from its sources as `npx ferry` does. */
const FERRY_CLI = join(import.meta.dirname, '..', '..', 'cli', 'src', 'main.ts');

const of = <T extends MigrationEvent['type']>(events: readonly MigrationEvent[], type: T) =>
  events.find((e) => e.type === type) as EventOf<T> | undefined;

describe('the whole pipeline: every service its own process, real qemu-img, the loopback OpenStack', () => {
  let p: Pipeline;
  /** Nothing of the job is left: no server, image, port or volume in OpenStack, no file on disk. */
  const nothingLeft = (jobId: string) => {
    expect(p.resourcesOf(jobId)).toEqual({ servers: [], images: [], ports: [], volumes: [] });
    expect(existsSync(join(p.out, jobId))).toBe(false);
  };
  const verified: string[] = [];

  beforeAll(async () => {
    // As deployments run: TLS, and each service as its own NATS identity with its permissions.
    p = await startPipeline({}, { secure: true });
    for (const name of PIPELINE_SERVICES) p.start(name);
  }, 600_000);
  afterAll(async () => {
    p?.removeResourcesOf(verified);
    await p?.close();
  });

  it('takes a Workstation VM to an ACTIVE server: every stage recorded, image and server there for the openstack CLI', async () => {
    p.writeVm('e2e-alpha');
    const key = await p.discovered('e2e-alpha');
    const outcome = await p.migrate('e2e-create-alpha', [key], { strategy: 'qemu-img' });
    const jobId = jobIdFor('e2e-create-alpha', key);
    expect(outcome).toEqual({ jobs: [{ vmKey: key, jobId }], skipped: [] });
    const events = await p.ended(jobId);
    expect(
      events
        .map((e) => e.type)
        .filter((t) => t !== 'ConversionProgressed' && t !== 'ResourceRecorded'),
    ).toEqual([
      'MigrationCreated',
      'MigrationValidated',
      // Each stage with side effects runs under a lease that its end event ends.
      'StageClaimed',
      'ConversionStarted',
      'ConversionCompleted',
      'StageClaimed',
      'ImageUploadStarted',
      'ImageUploadCompleted',
      'StageClaimed',
      'ServerDeployed',
      'MigrationVerified',
    ]);
    expect(
      events.filter((e) => e.type === 'StageClaimed').map((e) => [e.data.stage, e.data.holder]),
    ).toEqual([
      ['conversion', expect.stringMatching(/^conversion-/)],
      ['upload', expect.stringMatching(/^image-/)],
      ['deployment', expect.stringMatching(/^compute-/)],
    ]);
    // Each stage with its time; the conversion's exact command; the ids of what was created.
    for (const e of events) expect(Date.parse(e.metadata.occurredAt)).toBeGreaterThan(0);
    expect(of(events, 'ConversionStarted')?.data.commands[0]?.slice(0, 2)).toEqual([
      'qemu-img',
      'convert',
    ]);
    expect(of(events, 'ConversionCompleted')?.data.durationMs).toBeGreaterThan(0);
    const imageId = of(events, 'ImageUploadCompleted')?.data.imageId as string;
    const serverId = of(events, 'ServerDeployed')?.data.serverId as string;
    expect(of(events, 'MigrationVerified')?.data).toMatchObject({
      outcome: 'verified',
      serverStatus: 'ACTIVE',
    });
    expect(p.cloud.cli<{ status: string }>('image', 'show', imageId).status).toBe('active');
    expect(p.cloud.cli<{ status: string }>('server', 'show', serverId).status).toBe('ACTIVE');
    verified.push(jobId);
    const { servers, images, ports } = p.resourcesOf(jobId);
    expect([servers, images, ports].map((r) => r.length)).toEqual([1, 1, 1]);
    // The VM is free again: a new selection of it makes a new job.
    const again = await p.migrate('e2e-create-alpha-again', [key], { strategy: 'qemu-img' });
    expect(again.jobs).toHaveLength(1);
    verified.push(again.jobs[0]?.jobId as string);
    expect((await p.ended(again.jobs[0]?.jobId as string)).at(-1)?.type).toBe('MigrationVerified');
  });

  it("refuses another system's forged MigrationFailed: 30 s later the job is VERIFIED, nothing rolled back", async () => {
    const jobId = verified[0] as string;
    const before = await p.events(jobId);
    const forged = {
      revision: before.length,
      events: [
        {
          id: randomUUID(),
          type: 'MigrationFailed',
          data: { jobId, stage: 'verification', code: 'forged', message: 'x', retryable: false },
          metadata: { commandId: 'forged', correlationId: 'forged', occurredAt: new Date() },
        },
      ],
    };
    const client = jetstream(await p.connectAs('client'));
    await expect(
      client.publish(`ferry.evt.migration.${jobId}`, JSON.stringify(forged)),
    ).rejects.toThrow(/permissions violation/i);
    await new Promise((r) => setTimeout(r, 30_000));
    expect(await p.events(jobId)).toEqual(before);
    const serverId = of(before, 'ServerDeployed')?.data.serverId as string;
    expect(p.cloud.cli<{ status: string }>('server', 'show', serverId).status).toBe('ACTIVE');
  });

  it('is driven by `ferry migrate --wait` like any other system would: NATS only, every event followed to the end', async () => {
    p.writeVm('e2e-cli');
    const key = await p.discovered('e2e-cli');
    const cli = (...args: string[]) =>
      run(process.execPath, ['--conditions=ferry-source', FERRY_CLI, ...args], {
        env: { PATH: process.env.PATH ?? '', ...p.natsEnv('client') },
      });
    const { stdout } = await cli(
      'migrate',
      key,
      '--wait',
      '--strategy',
      'qemu-img',
      '--command-id',
      'e2e-cli',
    );
    const jobId = jobIdFor('e2e-cli', key);
    verified.push(jobId);
    expect(stdout).toContain(jobId);
    expect(stdout).toMatch(/MigrationVerified|VERIFIED/);
    const { job, events } = JSON.parse((await cli('job', jobId, '--json')).stdout) as {
      job: { state: string };
      events: MigrationEvent[];
    };
    expect(job.state).toBe('VERIFIED');
    // Every event of the job, whichever service made it, names who asked: the CLI's user.
    const asker = { kind: 'system', id: 'client', name: `${userInfo().username}@${hostname()}` };
    expect(new Set(events.map((e) => JSON.stringify(e.metadata.actor)))).toEqual(
      new Set([JSON.stringify(asker)]),
    );
    expect((await cli('job', jobId)).stdout).toContain(`(by client: ${asker.name})`);
    // An unknown key is an error for a script (exit 1), named in the output; nothing is created.
    const unknown = await cli('migrate', 'ws-nosuchvm', '--command-id', 'e2e-cli-unknown').then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toMatch(/skipped\s+ws-nosuchvm\s+unknown VM/);
    expect(events).toEqual(await p.events(jobId));
  });

  it('fails a VM whose disk path is invalid at validation, and rolls it back: nothing left', async () => {
    p.writeVm('e2e-nodisk', { missingDisk: true });
    const key = await p.discovered('e2e-nodisk');
    const jobId = jobIdFor('e2e-create-nodisk', key);
    await p.migrate('e2e-create-nodisk', [key]);
    const events = await p.ended(jobId);
    expect(of(events, 'MigrationFailed')?.data).toMatchObject({
      stage: 'validation',
      code: 'validation-failed',
    });
    expect(
      of(events, 'MigrationValidated')?.data.checks.find((c) => c.name === 'disks-present'),
    ).toMatchObject({
      outcome: 'failed',
    });
    expect(of(events, 'RollbackCompleted')?.data.outcome).toBe('complete');
    nothingLeft(jobId);
  });

  it('fails a conversion whose output folder cannot be written, and rolls it back: nothing left', async () => {
    p.writeVm('e2e-unwritable');
    const key = await p.discovered('e2e-unwritable');
    const jobId = jobIdFor('e2e-create-unwritable', key);
    // A file where the job's output folder must go: no folder can be made there, as on a read-only disk.
    writeFileSync(join(p.out, jobId), 'in the way');
    await p.migrate('e2e-create-unwritable', [key], { strategy: 'qemu-img' });
    const events = await p.ended(jobId);
    expect(of(events, 'MigrationFailed')?.data.stage).toBe('conversion');
    expect(events.at(-1)?.type).toBe('RollbackCompleted');
    nothingLeft(jobId);
  });

  it('fails an upload Glance refuses (HTTP 403), and removes the image record and the artifact', async () => {
    // The loopback Glance refuses the data of this one image name by policy (deploy/openstack-dev/etc/glance-policy.yaml).
    p.writeVm('ferry-refused-upload');
    const key = await p.discovered('ferry-refused-upload');
    const jobId = jobIdFor('e2e-create-refused', key);
    await p.migrate('e2e-create-refused', [key], { strategy: 'qemu-img' });
    const events = await p.ended(jobId);
    expect(of(events, 'MigrationFailed')?.data).toMatchObject({
      stage: 'upload',
      code: 'openstack-refused',
    });
    expect(of(events, 'MigrationFailed')?.data.message).toMatch(/403/);
    expect(of(events, 'RollbackCompleted')?.data).toMatchObject({ outcome: 'complete', failed: 0 });
    nothingLeft(jobId);
  });

  it('fails a deployment Nova refuses (over quota), and removes the port and the image it had', async () => {
    const flavor = `ferry-e2e-greedy-${process.pid}`;
    p.cloud.cli('flavor', 'create', '--vcpus', '1', '--ram', '4000000', '--disk', '1', flavor);
    try {
      p.writeVm('e2e-quota');
      const key = await p.discovered('e2e-quota');
      const jobId = jobIdFor('e2e-create-quota', key);
      await p.migrate('e2e-create-quota', [key], { strategy: 'qemu-img', flavor });
      const events = await p.ended(jobId);
      expect(of(events, 'MigrationFailed')?.data).toMatchObject({
        stage: 'deployment',
        code: 'quota-exceeded',
      });
      expect(of(events, 'RollbackCompleted')?.data).toMatchObject({
        outcome: 'complete',
        failed: 0,
      });
      nothingLeft(jobId);
    } finally {
      p.cloud.run('flavor', 'delete', flavor);
    }
  });

  it('fails a server that boots to ERROR at verification, and removes the server, its port and the image', async () => {
    // More disk than the fake hypervisor has (and no quota on it): Nova accepts the server, the scheduler puts it in ERROR.
    const flavor = `ferry-e2e-huge-${process.pid}`;
    p.cloud.cli('flavor', 'create', '--vcpus', '1', '--ram', '512', '--disk', '50000000', flavor);
    try {
      p.writeVm('e2e-error');
      const key = await p.discovered('e2e-error');
      const jobId = jobIdFor('e2e-create-error', key);
      await p.migrate('e2e-create-error', [key], { strategy: 'qemu-img', flavor });
      const events = await p.ended(jobId);
      expect(of(events, 'ServerDeployed')?.data.serverId).toBeTruthy();
      expect(of(events, 'MigrationFailed')?.data.stage).toBe('verification');
      const steps = events.filter(
        (e) => e.type === 'RollbackStepCompleted',
      ) as EventOf<'RollbackStepCompleted'>[];
      expect(steps.map((s) => s.data.resource.kind)).toEqual(
        expect.arrayContaining(['server', 'port', 'image', 'artifact']),
      );
      nothingLeft(jobId);
    } finally {
      p.cloud.run('flavor', 'delete', flavor);
    }
  });
});
