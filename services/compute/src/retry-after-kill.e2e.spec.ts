import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import type { MigrationEvent } from '@ferry/contracts';
import { JetStreamEventStore } from '@ferry/event-store';
import { natsWithStreams, testVm } from '@ferry/stages/testing';
import { publishCommand } from '@ferry/messaging';
import { Glance, jobTag, loadCloudConfig, OpenStackHttp, OpenStackSession } from '@ferry/openstack';
import { eventually, loopbackOpenStack, startBuiltService } from '@ferry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadedJob } from './uploaded-job.fixtures.ts';

const GiB = 1024 ** 3;

describe('the compute service killed mid-deployment and asked again', () => {
  let dir: string;
  let nats: Awaited<ReturnType<typeof natsWithStreams>>;
  const jobId = `kill-${randomBytes(3).toString('hex')}`;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-compute-kill-'));
    nats = await natsWithStreams();
  });
  afterAll(async () => {
    await nats.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves exactly one server and one volume per disk, as the openstack CLI sees them', async () => {
    const cloud = loopbackOpenStack();
    const http = new OpenStackHttp({ timeoutMs: 60_000, retries: 2 });
    const glance = new Glance(new OpenStackSession(loadCloudConfig({ env: cloud.env }), http));
    const store = new JetStreamEventStore(await nats.connect());
    const js = jetstream(await nats.connect());
    const cli = <T>(...args: string[]) => cloud.cli<T>(...args);
    const qcow2 = join(dir, 'disk.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', qcow2, '64M']);
    const vm = {
      ...testVm,
      key: `ws-${jobId}`,
      name: jobId,
      disks: [0, 1, 2].map((index) => ({
        index,
        controller: 'scsi' as const,
        slot: `scsi0:${index}`,
        path: `/src/${index}.vmdk`,
        capacityBytes: GiB,
      })),
    };
    const { stream, imageIds } = await uploadedJob({ store, glance }, jobId, vm, qcow2, {
      bootMode: 'volume',
    });
    const env = {
      ...cloud.env,
      NATS_URL: nats.server.url,
      LOG_DIR: join(dir, 'logs'),
      OPENSTACK_VERIFY_INTERVAL_SECONDS: '1',
      // The killed holder's lease lapses after 30 s (and 15 s of grace), not the default 120 s:
      // the second service takes the stage over that much sooner.
      STAGE_LEASE_SECONDS: '30',
      // The fake driver's console log never shows a login prompt: ACTIVE is the evidence here.
      OPENSTACK_VERIFY_BOOT_SECONDS: '0',
    };
    const history = async () => (await store.read<MigrationEvent>(stream)).events;
    // Debian 12's client cannot filter volumes by property: it lists them with theirs.
    const volumes = () =>
      cli<{ ID: string; Properties: Record<string, string> }[]>('volume', 'list', '--long').filter(
        (v) => v.Properties.ferry_job_id === jobId,
      );
    const servers = () =>
      cli<{ ID: string; Status: string }[]>(
        '--os-compute-api-version',
        '2.26',
        'server',
        'list',
        '--tags',
        jobTag(jobId),
      );

    const first = startBuiltService('compute', env);
    await publishCommand(js, {
      type: 'DeployServer',
      data: { jobId },
      metadata: { commandId: `deploy-${jobId}` },
    });
    // Killed once its first volume exists, before the server does.
    await eventually(
      async () =>
        (await history()).some(
          (e) => e.type === 'ResourceRecorded' && e.data.resource.kind === 'volume',
        ),
      'a volume made',
      {
        timeoutMs: 120_000,
        intervalMs: 50,
      },
    );
    await first.kill();

    const second = startBuiltService('compute', env);
    try {
      await publishCommand(js, {
        type: 'DeployServer',
        data: { jobId },
        metadata: { commandId: `deploy-${jobId}-again` },
      });
      await eventually(
        async () => (await history()).at(-1)?.type === 'ServerDeployed',
        'deployed',
        { timeoutMs: 300_000, intervalMs: 200 },
      );
      await publishCommand(js, {
        type: 'VerifyServer',
        data: { jobId },
        metadata: { commandId: `verify-${jobId}` },
      });
      await eventually(
        async () => (await history()).at(-1)?.type === 'MigrationVerified',
        'verified',
        { timeoutMs: 300_000, intervalMs: 200 },
      );
    } finally {
      await second.stop();
    }
    expect(servers().map((s) => s.Status)).toEqual(['ACTIVE']);
    expect(volumes()).toHaveLength(3);
    // Clean up with the same client: server, then its ports, volumes and images.
    const sh = (...args: string[]) =>
      execFileSync('openstack', args, { env: { PATH: '/usr/bin:/bin', ...cloud.env } });
    sh('server', 'delete', '--wait', servers()[0]?.ID ?? '');
    for (const e of await history())
      if (e.type === 'ResourceRecorded' && e.data.resource.kind === 'port')
        sh('port', 'delete', e.data.resource.id);
    // Volumes detach a moment after their server is gone.
    await eventually(
      async () => {
        try {
          sh('volume', 'delete', ...volumes().map((v) => v.ID));
          return true;
        } catch {
          return false;
        }
      },
      'volumes deleted',
      { timeoutMs: 60_000, intervalMs: 1000 },
    );
    sh('image', 'delete', ...imageIds);
    await http.close();
  }, 900_000);
});
