import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MigrationEvent } from '@ferry/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobIdFor } from './job-id.ts';
import {
  PIPELINE_SERVICES,
  startPipeline,
  type Pipeline,
  type PipelineService,
} from '@ferry/pipeline-testing';

const RUNS = Number(process.env.FERRY_CRASH_RUNS ?? 20);
const SEED = Number(process.env.FERRY_CRASH_SEED ?? Date.now() % 2 ** 31);
const JOBS_PER_RUN = 2;
/** More memory than the project's quota: Nova refuses the server, and the job is rolled back. */
const flavor = `ferry-crash-greedy-${process.pid}`;
/** Kills land anywhere in a run's first seconds: a job goes from create to ACTIVE in about 3-5 s here. */
const KILL_WINDOW_MS = 6_000;

/** A small seeded generator (mulberry32): the same seed replays the same kill points. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface KillPoint {
  readonly run: number;
  readonly service: PipelineService;
  readonly atMs: number;
  /** Where each job of the run was when the service died: its last event. */
  readonly jobs: readonly string[];
}

describe(`crash-proof (seed ${SEED}): ${RUNS} runs, every service SIGKILLed at a random point of each, then restarted`, () => {
  let p: Pipeline;
  const kills: KillPoint[] = [];
  const ended = new Map<string, string>();
  beforeAll(async () => {
    // A killed worker's command goes to its restarted self after 3 s instead of a minute.
    p = await startPipeline({ NATS_ACK_WAIT_SECONDS: '3' });
    for (const name of PIPELINE_SERVICES) p.start(name);
  }, 600_000);
  afterAll(async () => {
    p?.cloud.run('flavor', 'delete', flavor);
    p?.removeResourcesOf(
      [...ended].filter(([, last]) => last === 'MigrationVerified').map(([id]) => id),
    );
    const report = { seed: SEED, runs: RUNS, kills, outcomes: Object.fromEntries(ended) };
    // Beside the test reports, not among them: the summary reads every .json there as a test report.
    const dir = join(import.meta.dirname, '..', '..', '..', '.reports', 'crash');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'kill-points.json'), `${JSON.stringify(report, null, 2)}\n`);
    await p?.close();
  });

  it('every job ends VERIFIED or ROLLED_BACK, none stuck, never two images or servers for one job', async () => {
    const next = random(SEED);
    p.cloud.cli('flavor', 'create', '--vcpus', '1', '--ram', '4000000', '--disk', '1', flavor);
    const names = Array.from({ length: RUNS * JOBS_PER_RUN }, (_, i) => `crash-${i}`);
    for (const name of names) p.writeVm(name, { mib: 8 });
    const keys = await Promise.all(names.map((n) => p.discovered(n)));
    const where = async (jobId: string) => {
      const events: readonly MigrationEvent[] = await p.events(jobId).catch(() => []);
      const last = events.filter((e) => e.type !== 'ResourceRecorded').at(-1);
      if (!last) return 'not created yet';
      return last.type === 'ConversionProgressed'
        ? `ConversionProgressed ${last.data.percent}%`
        : last.type;
    };
    for (let run = 0; run < RUNS; run++) {
      const runKeys = keys.slice(run * JOBS_PER_RUN, (run + 1) * JOBS_PER_RUN);
      const commandId = `crash-run-${run}`;
      const jobIds = [
        jobIdFor(commandId, runKeys[0] as string),
        jobIdFor(`${commandId}-refused`, runKeys[1] as string),
      ];
      const started = Date.now();
      const killing = PIPELINE_SERVICES.map(async (service) => {
        const atMs = Math.floor(next() * KILL_WINDOW_MS);
        const pauseMs = Math.floor(next() * 500);
        await new Promise((r) => setTimeout(r, atMs));
        const jobs = await Promise.all(jobIds.map(where));
        await p.services.get(service)?.kill();
        kills.push({ run, service, atMs: Date.now() - started, jobs });
        await new Promise((r) => setTimeout(r, pauseMs));
        p.start(service);
      });
      // One job to go through, one that Nova refuses at deployment: the rollback service has work in every run.
      await Promise.all([
        p.migrate(commandId, [runKeys[0] as string], { strategy: 'qemu-img' }, 120_000),
        p.migrate(
          `${commandId}-refused`,
          [runKeys[1] as string],
          { strategy: 'qemu-img', flavor },
          120_000,
        ),
      ]);
      await Promise.all(killing);
      for (const jobId of jobIds) {
        const events = await p.ended(jobId, 300_000);
        ended.set(jobId, events.at(-1)?.type as string);
      }
    }
    const now = p.resources();
    for (const [jobId, last] of ended) {
      const { servers, images } = now.of(jobId);
      const expected = last === 'MigrationVerified' ? 1 : 0;
      expect({ jobId, servers: servers.length, images: images.length }).toEqual({
        jobId,
        servers: expected,
        images: expected,
      });
    }
    expect(ended.size).toBe(RUNS * JOBS_PER_RUN);
    // The refused ones never verify: a run where one did would mean the kill points were not what they seem.
    expect(
      [...ended.values()].filter((last) => last === 'RollbackCompleted').length,
    ).toBeGreaterThanOrEqual(RUNS);
    expect(kills).toHaveLength(RUNS * PIPELINE_SERVICES.length);
  });
});
