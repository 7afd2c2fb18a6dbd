import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MigrationEvent } from '@ferry/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobIdFor } from './job-id.ts';
import { PIPELINE_SERVICES, startPipeline, type Pipeline } from '@ferry/pipeline-testing';

// 6 runs in CI; the soak of the issue is FERRY_CRASH_RUNS=50 (see the README).
const RUNS = Number(process.env.FERRY_CRASH_RUNS ?? 6);
const SEED = Number(process.env.FERRY_CRASH_SEED ?? Date.now() % 2 ** 31);
const JOBS_PER_RUN = 2;
/** Each stage's budget here: far past what a stage takes in a run, kills included (10-40 s). */
const STAGE_BUDGET_S = 120;
/** More memory than the project's quota: Nova refuses the server, and the job is rolled back. */
const flavor = `ferry-crash-greedy-${process.pid}`;
/**
 * Kills land anywhere in a run: a job goes from create to ACTIVE in about 5-10 s here, and a
 * refused one to ROLLED_BACK in 10-15 s, longer when what it needs was killed meanwhile.
 */
const KILL_WINDOW_MS = 15_000;
/** What is killed in each run: every service, and the nats-server they all use. */
const VICTIMS = [...PIPELINE_SERVICES, 'nats-server'] as const;
type Victim = (typeof VICTIMS)[number];

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
  readonly service: Victim;
  readonly atMs: number;
  /** Where each job of the run was when the service died: its last event. */
  readonly jobs: readonly string[];
}

describe(`crash-proof (seed ${SEED}): ${RUNS} runs, every service and nats-server SIGKILLed at a random point of each, then restarted`, () => {
  let p: Pipeline;
  const kills: KillPoint[] = [];
  const ended = new Map<string, string>();
  /** Jobs the watchdog failed: their stage went on past its budget (a command or reaction lost). */
  const rescued: string[] = [];
  let passed = false;
  let closing = false;
  /** Services that exited by themselves (a start cut short by the nats-server's kill), started again. */
  const exitedAndRestarted: string[] = [];
  /** Starts a service and, as compose's restart policy does, starts it again if it exits by itself. */
  const supervise = (name: (typeof PIPELINE_SERVICES)[number]) => {
    const service = p.start(name);
    service.process.once('exit', (code) => {
      // Killed by this test (no exit code), replaced meanwhile, or stopped at the end: not restarted.
      if (code === null || closing || p.services.get(name) !== service) return;
      exitedAndRestarted.push(name);
      setTimeout(() => {
        if (!closing && p.services.get(name) === service) supervise(name);
      }, 1_000);
    });
  };
  beforeAll(async () => {
    // A killed worker's command goes to its restarted self after 3 s instead of a minute, and its
    // stage's lease lapses 10 s (and 15) after its last renewal.
    // A stage that outlives 120 s is failed by the watchdog (every 5 s), so a job whose next command
    // was lost still ends, rolled back; the run says how many ended so (none is the hoped-for count).
    p = await startPipeline({
      NATS_ACK_WAIT_SECONDS: '3',
      STAGE_LEASE_SECONDS: '10',
      WATCHDOG_INTERVAL_SECONDS: '5',
      ...Object.fromEntries(
        ['VALIDATION', 'CONVERSION', 'UPLOAD', 'DEPLOYMENT', 'VERIFICATION'].map((stage) => [
          `STAGE_BUDGET_${stage}_SECONDS`,
          String(STAGE_BUDGET_S),
        ]),
      ),
    });
    for (const name of PIPELINE_SERVICES) supervise(name);
  }, 600_000);
  afterAll(async () => {
    p?.cloud.run('flavor', 'delete', flavor);
    p?.removeResourcesOf(
      [...ended].filter(([, last]) => last === 'MigrationVerified').map(([id]) => id),
    );
    const report = {
      seed: SEED,
      runs: RUNS,
      kills,
      outcomes: Object.fromEntries(ended),
      rescued,
      exitedAndRestarted,
    };
    // Beside the test reports, not among them: the summary reads every .json there as a test report.
    const dir = join(import.meta.dirname, '..', '..', '..', '.reports', 'crash');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'kill-points.json'), `${JSON.stringify(report, null, 2)}\n`);
    if (!passed && p) keepLogs(join(p.out, 'logs'), join(dir, 'logs'));
    closing = true;
    await p?.close();
  });

  it(
    'every job ends VERIFIED or ROLLED_BACK, none lost or stuck; one server and image per verified job, nothing per rolled-back one',
    { timeout: RUNS * 90_000 + 300_000 },
    async () => {
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
        const killing = VICTIMS.map(async (service) => {
          const atMs = Math.floor(next() * KILL_WINDOW_MS);
          const pauseMs = Math.floor(next() * 500);
          await new Promise((r) => setTimeout(r, atMs));
          const jobs = await Promise.all(jobIds.map(where));
          if (service === 'nats-server') {
            // kill -9, its store kept: what it acknowledged is on disk (sync_interval: always).
            await p.natsServer?.kill();
            kills.push({ run, service, atMs: Date.now() - started, jobs });
            await new Promise((r) => setTimeout(r, pauseMs));
            await p.natsServer?.restart();
            return;
          }
          await p.services.get(service)?.kill();
          kills.push({ run, service, atMs: Date.now() - started, jobs });
          await new Promise((r) => setTimeout(r, pauseMs));
          supervise(service);
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
          const timedOut = events.find(
            (e) => e.type === 'MigrationFailed' && e.data.code === 'stage-timeout',
          );
          if (timedOut?.type === 'MigrationFailed')
            rescued.push(`${jobId} (run ${run}, ${timedOut.data.stage})`);
        }
      }
      const now = p.resources();
      for (const [jobId, last] of ended) {
        const { servers, images, ports, volumes } = now.of(jobId);
        const verified = last === 'MigrationVerified';
        expect({
          jobId,
          servers: servers.length,
          images: images.length,
          ports: ports.length,
          volumes: volumes.length,
          files: verified ? [] : p.filesOf(jobId),
        }).toEqual({
          jobId,
          servers: verified ? 1 : 0,
          images: verified ? 1 : 0,
          ports: verified ? 1 : 0,
          volumes: 0, // booted from its image: no volume
          files: [],
        });
      }
      const count = (type: string) => [...ended.values()].filter((last) => last === type).length;
      console.log(
        `crash (seed ${SEED}): ${RUNS} runs, ${kills.length} kills (${VICTIMS.length} a run, at ${kills.map((k) => `${k.service}@${k.atMs}ms`).join(' ')}); ${count('MigrationVerified')} jobs verified, ${count('RollbackCompleted')} rolled back (${rescued.length} of them by the watchdog${rescued.length ? `: ${rescued.join(', ')}` : ''}), 0 lost, 0 stuck; services that exited by themselves and were started again: ${exitedAndRestarted.join(', ') || 'none'}`,
      );
      expect(ended.size).toBe(RUNS * JOBS_PER_RUN);
      // The refused ones never verify: a run where one did would mean the kill points were not what they seem.
      expect(
        [...ended.values()].filter((last) => last === 'RollbackCompleted').length,
      ).toBeGreaterThanOrEqual(RUNS);
      expect(kills).toHaveLength(RUNS * VICTIMS.length);
      passed = true;
    },
  );
});

/** A failed run's logs, kept beside its kill points; their warnings and errors printed, for CI's output. */
function keepLogs(from: string, to: string) {
  if (!existsSync(from)) return;
  cpSync(from, to, { recursive: true });
  for (const file of readdirSync(from)) {
    const lines = readFileSync(join(from, file), 'utf8').split('\n');
    const loud = lines.filter((l) => /"level":"(warn|error|fatal)"/.test(l)).slice(-15);
    if (loud.length) console.error(`--- ${file}: its last warnings and errors\n${loud.join('\n')}`);
  }
}
