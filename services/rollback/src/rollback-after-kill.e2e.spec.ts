import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import type { MigrationEvent } from '@ferry/contracts';
import { migrationStream } from '@ferry/contracts';
import { JetStreamEventStore } from '@ferry/event-store';
import { natsWithStreams } from '@ferry/stages/testing';
import { publishCommand } from '@ferry/messaging';
import { loadCloudConfig, Nova, OpenStackHttp, OpenStackSession } from '@ferry/openstack';
import { eventually, loopbackOpenStack, startBuiltService } from '@ferry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployedThenFailed, leftInOpenStack, stepsOf } from './failed-job.fixtures.ts';

describe('the rollback service killed mid-rollback and started again', () => {
  let dir: string;
  let nats: Awaited<ReturnType<typeof natsWithStreams>>;
  const http = new OpenStackHttp({ timeoutMs: 60_000, retries: 2 });
  const jobId = `kill-${randomBytes(3).toString('hex')}`;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-rollback-kill-'));
    nats = await natsWithStreams();
  });
  afterAll(async () => {
    await http.close();
    await nats.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finishes the rollback it was cut off in, each step recorded once, nothing of the job left', async () => {
    const cloud = loopbackOpenStack();
    const store = new JetStreamEventStore(await nats.connect());
    const js = jetstream(await nats.connect());
    const outputDir = join(dir, 'out');
    const qcow2 = join(dir, 'boot.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', qcow2, '64M']);
    const nova = new Nova(new OpenStackSession(loadCloudConfig({ env: cloud.env }), http));
    const { recorded, orphan, folder } = await deployedThenFailed(
      { cloud, store, nova, outputDir, qcow2 },
      jobId,
    );
    const env = {
      ...cloud.env,
      NATS_URL: nats.server.url,
      LOG_DIR: join(dir, 'logs'),
      MIGRATION_OUTPUT_DIR: outputDir,
      // The killed holder's lease lapses after 30 s (and 15 s of grace), not the default 120 s:
      // the second service takes the stage over that much sooner.
      STAGE_LEASE_SECONDS: '30',
    };
    const events = async () => (await store.read<MigrationEvent>(migrationStream(jobId))).events;
    const rollBack = (commandId: string) =>
      publishCommand(js, { type: 'RollBackMigration', data: { jobId }, metadata: { commandId } });

    const first = startBuiltService('rollback', env);
    await rollBack(`rollback-${jobId}`);
    // Killed once the server is gone and the rest is still to do.
    await eventually(async () => stepsOf(await events()).length > 0, 'a first step', {
      timeoutMs: 120_000,
      intervalMs: 50,
    });
    await first.kill();
    const cut = await events();
    expect(cut.at(-1)?.type).not.toBe('RollbackCompleted');

    const second = startBuiltService('rollback', env);
    try {
      await rollBack(`rollback-${jobId}-again`);
      await eventually(
        async () => (await events()).at(-1)?.type === 'RollbackCompleted',
        'rollback completed',
        { timeoutMs: 300_000, intervalMs: 200 },
      );
    } finally {
      await second.stop();
    }
    const after = await events();
    const steps = stepsOf(after);
    // A resource whose deletion the kill cut short is found gone by the second run: already absent.
    expect(steps.map(([kind, id]) => `${kind}:${id}`).sort()).toEqual(
      [...recorded.map((r) => `${r.kind}:${r.id}`), `image:${orphan}`, `artifact:${folder}`].sort(),
    );
    expect(
      steps.every(([, , outcome]) => outcome === 'deleted' || outcome === 'already-absent'),
    ).toBe(true);
    expect(after.at(-1)).toMatchObject({ data: { outcome: 'complete', failed: 0, kept: 0 } });
    const volume = recorded.find((r) => r.kind === 'volume')?.id as string;
    expect(leftInOpenStack(cloud, jobId, [volume])).toEqual({
      servers: [],
      ports: [],
      volumes: [],
      images: [],
    });
    expect(existsSync(folder)).toBe(false);
  }, 600_000);
});
