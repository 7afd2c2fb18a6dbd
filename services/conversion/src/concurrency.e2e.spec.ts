import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import type { MigrationEvent, VmDescription } from '@ferry/contracts';
import { migrationStream } from '@ferry/contracts';
import { JetStreamEventStore } from '@ferry/event-store';
import { natsWithStreams, discoveredJob, testVm } from '@ferry/stages/testing';
import { publishCommand } from '@ferry/messaging';
import {
  eventually,
  startBuiltService,
  sameDiskAs,
  vmdkOf,
  writeDataImage,
  type RunningService,
} from '@ferry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MiB = 1024 * 1024;

/** The most conversions that ran at the same moment, from their started and completed events' times. */
type History = readonly {
  readonly type: string;
  readonly metadata: { readonly occurredAt: string };
}[];

function mostAtOnce(jobs: readonly History[]): number {
  const edges = jobs.flatMap((history) => {
    const at = (type: string) =>
      Date.parse(history.find((e) => e.type === type)?.metadata.occurredAt ?? '');
    return [
      { at: at('ConversionStarted'), step: 1 },
      { at: at('ConversionCompleted'), step: -1 },
    ];
  });
  edges.sort((a, b) => a.at - b.at || a.step - b.step);
  let running = 0;
  let most = 0;
  for (const edge of edges) most = Math.max(most, (running += edge.step));
  return most;
}

describe('the conversion service process bounds how many conversions run at once (CONVERSION_CONCURRENCY)', () => {
  let nats: Awaited<ReturnType<typeof natsWithStreams>>;
  let store: JetStreamEventStore;
  let dir: string;
  let vm: VmDescription;
  let service: RunningService | undefined;

  beforeAll(async () => {
    nats = await natsWithStreams();
    store = new JetStreamEventStore(await nats.connect());
    dir = mkdtempSync(join(tmpdir(), 'ferry-concurrency-'));
    writeDataImage(join(dir, 'disk.raw'), 384 * MiB);
    vmdkOf(join(dir, 'disk.raw'), join(dir, 'disk.vmdk'));
    vm = {
      ...testVm,
      disks: [
        {
          index: 0,
          controller: 'scsi',
          slot: 'scsi0:0',
          path: join(dir, 'disk.vmdk'),
          capacityBytes: 384 * MiB,
        },
      ],
    };
  }, 120_000);
  afterAll(async () => {
    await service?.kill();
    await nats.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const serviceEnv = (concurrency: number) => ({
    NATS_URL: nats.server.url,
    MIGRATION_OUTPUT_DIR: join(dir, 'out'),
    LOG_DIR: join(dir, 'logs'),
    CONVERSION_CONCURRENCY: String(concurrency),
    // A killed replica's command comes back after 3 s, and its lease lapses 5 s (and 15) after its last renewal.
    NATS_ACK_WAIT_SECONDS: '3',
    STAGE_LEASE_SECONDS: '5',
  });

  async function convertAll(
    concurrency: number,
    jobIds: string[],
    replicas = 1,
  ): Promise<History[]> {
    const others = Array.from({ length: replicas - 1 }, () =>
      startBuiltService('conversion', serviceEnv(concurrency)),
    );
    service = startBuiltService('conversion', serviceEnv(concurrency));
    const running = service;
    const js = jetstream(await nats.connect());
    for (const jobId of jobIds) {
      await discoveredJob(store, jobId, { vm });
      await publishCommand(js, {
        type: 'ConvertDisks',
        data: { jobId },
        metadata: { commandId: `convert-${jobId}` },
      });
    }
    const histories = async () =>
      Promise.all(
        jobIds.map(async (id) => (await store.read<MigrationEvent>(migrationStream(id))).events),
      );
    const exited = new Promise<never>((_, reject) =>
      running.process.once('exit', (code) =>
        reject(new Error(`the service exited (${code}) early`)),
      ),
    );
    await Promise.race([
      exited,
      eventually(
        async () => (await histories()).every((h) => h.at(-1)?.type === 'ConversionCompleted'),
        'every job converted',
        { timeoutMs: 180_000, intervalMs: 100 },
      ),
    ]);
    exited.catch(() => undefined);
    await running.stop();
    await Promise.all(others.map((s) => s.stop()));
    return histories();
  }

  it('with 2, two of four conversions run side by side and never a third', async () => {
    expect(mostAtOnce(await convertAll(2, ['c2-a', 'c2-b', 'c2-c', 'c2-d']))).toBe(2);
  }, 240_000);

  it('restarted with 1, the same consumer runs them one after another', async () => {
    expect(mostAtOnce(await convertAll(1, ['c1-a', 'c1-b', 'c1-c']))).toBe(1);
  }, 240_000);

  it('replicas add capacity: two replicas with 1 each run two of four side by side', async () => {
    expect(mostAtOnce(await convertAll(1, ['r2-a', 'r2-b', 'r2-c', 'r2-d'], 2))).toBe(2);
  }, 240_000);

  it('SIGKILLed 2 s into qemu-img and restarted at once: never two converters, and the artifact is the disk', async () => {
    const big = join(dir, 'big.raw');
    writeDataImage(big, 1536 * MiB);
    vmdkOf(big, join(dir, 'big.vmdk'));
    rmSync(big);
    const jobId = 'killed';
    const bigVm = {
      ...vm,
      disks: [
        {
          ...(vm.disks[0] as VmDescription['disks'][number]),
          path: join(dir, 'big.vmdk'),
          capacityBytes: 1536 * MiB,
        },
      ],
    };
    await discoveredJob(store, jobId, { vm: bigVm });
    // qemu-img itself (its process group's shell names it in its arguments too, but starts with sh).
    const converters = () => {
      try {
        return execFileSync('pgrep', ['-f', `^qemu-img convert .*${join(dir, 'out', jobId)}`], {
          encoding: 'utf8',
        })
          .trim()
          .split('\n').length;
      } catch {
        return 0; // pgrep: none
      }
    };
    let most = 0;
    const sampling = setInterval(() => (most = Math.max(most, converters())), 200);
    try {
      let first = startBuiltService('conversion', serviceEnv(1));
      await publishCommand(jetstream(await nats.connect()), {
        type: 'ConvertDisks',
        data: { jobId },
        metadata: { commandId: `convert-${jobId}` },
      });
      await eventually(() => converters() > 0, 'qemu-img running', { timeoutMs: 60_000 });
      await new Promise((r) => setTimeout(r, 2_000));
      await first.kill();
      first = startBuiltService('conversion', serviceEnv(1));
      const events = await eventually(
        async () => {
          const { events: history } = await store.read<MigrationEvent>(migrationStream(jobId));
          return history.at(-1)?.type === 'ConversionCompleted' ? history : undefined;
        },
        'the conversion completed by the restarted service',
        { timeoutMs: 180_000, intervalMs: 200 },
      );
      await first.stop();
      expect(most).toBe(1);
      // Taken over from the killed holder once its lease lapsed.
      const claims = events.filter((e) => e.type === 'StageClaimed');
      expect(claims.length).toBeGreaterThanOrEqual(2);
      expect(claims.at(-1)?.data).toMatchObject({ takenOverFrom: expect.any(String) });
      const completed = events.at(-1);
      const artifact =
        completed?.type === 'ConversionCompleted' ? completed.data.artifacts[0] : undefined;
      sameDiskAs(join(dir, 'big.vmdk'), artifact?.path ?? '');
    } finally {
      clearInterval(sampling);
    }
  }, 300_000);
});
