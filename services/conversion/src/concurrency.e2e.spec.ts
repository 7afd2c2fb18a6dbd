import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import type { MigrationEvent, VmDescription } from '@ferry/contracts';
import { JetStreamEventStore } from '@ferry/event-store';
import { natsWithStreams, discoveredJob, testVm } from '@ferry/stages/testing';
import { publishCommand } from '@ferry/messaging';
import {
  eventually,
  startBuiltService,
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

  async function convertAll(concurrency: number, jobIds: string[]): Promise<History[]> {
    service = startBuiltService('conversion', {
      NATS_URL: nats.server.url,
      MIGRATION_OUTPUT_DIR: join(dir, 'out'),
      LOG_DIR: join(dir, 'logs'),
      CONVERSION_CONCURRENCY: String(concurrency),
    });
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
        jobIds.map(async (id) => (await store.read<MigrationEvent>(`migration-${id}`)).events),
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
    return histories();
  }

  it('with 2, two of four conversions run side by side and never a third', async () => {
    expect(mostAtOnce(await convertAll(2, ['c2-a', 'c2-b', 'c2-c', 'c2-d']))).toBe(2);
  }, 240_000);

  it('restarted with 1, the same consumer runs them one after another', async () => {
    expect(mostAtOnce(await convertAll(1, ['c1-a', 'c1-b', 'c1-c']))).toBe(1);
  }, 240_000);
});
