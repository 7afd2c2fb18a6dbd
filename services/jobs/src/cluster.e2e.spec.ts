import { jetstreamManager } from '@nats-io/jetstream';
import { STREAMS, type MigrationEvent, migrationStream } from '@ferry/contracts';
import type { NatsClusterNode } from '@ferry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PIPELINE_SERVICES, startPipeline, type Pipeline } from '@ferry/pipeline-testing';

const VMS = 6;
/** Each stage's event, once per job: a redelivered command or commit must not record it again. */
const ONCE_EACH = [
  'MigrationCreated',
  'MigrationValidated',
  'ConversionStarted',
  'ConversionCompleted',
  'ImageUploadStarted',
  'ImageUploadCompleted',
  'ServerDeployed',
  'MigrationVerified',
] as const;

/** Waits for `probe`, whose errors (a request timing out while the cluster elects) are a no. */
async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: last });
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('the pipeline on a 3-node NATS cluster, 2 replicas of every service', () => {
  let p: Pipeline;
  const jobIds: string[] = [];

  beforeAll(async () => {
    // A command whose nak or ack the killed node took with it comes back after the ack wait: short here.
    p = await startPipeline({ NATS_ACK_WAIT_SECONDS: '10' }, { natsCluster: 3 });
    for (const name of PIPELINE_SERVICES) {
      p.start(name);
      p.start(name, `${name}-2`);
    }
  }, 120_000);
  afterAll(async () => {
    p?.removeResourcesOf(jobIds);
    await p?.close();
  });

  it('loses nothing when a NATS node is killed mid-run: every job ends VERIFIED, none twice, each stage recorded once', async () => {
    const cluster = p.cluster;
    if (!cluster) throw new Error('no cluster');
    expect(p.env.NATS_URL?.split(',')).toHaveLength(3);
    expect(p.env.NATS_STREAM_REPLICAS).toBe('3');

    const names = Array.from({ length: VMS }, (_, i) => `cluster-${i}`);
    for (const name of names) p.writeVm(name, { mib: 16 });
    const keys = await Promise.all(names.map((n) => p.discovered(n)));
    const selection = await p.migrate('cluster-run', keys, { strategy: 'qemu-img' }, 60_000);
    expect(selection.skipped).toEqual([]);
    expect(selection.jobs.map((j) => j.vmKey).sort()).toEqual([...keys].sort());
    jobIds.push(...selection.jobs.map((j) => j.jobId));

    // Mid-run: once a job converts, the node leading the event stream (the store) dies, as in a crash.
    const types = async (jobId: string) => (await p.events(jobId)).map((e) => e.type);
    await until(
      async () => {
        for (const jobId of jobIds)
          if ((await types(jobId)).includes('ConversionStarted')) return true;
        return undefined;
      },
      'a job converting',
      120_000,
    );
    const jsm = await jetstreamManager(p.nc);
    const leaderName = (await jsm.streams.info(STREAMS.events)).cluster?.leader;
    const victim = cluster.nodes.find((n) => n.name === leaderName) as NatsClusterNode;
    expect(victim).toBeDefined();
    const stagesAtKill = await Promise.all(jobIds.map(async (id) => (await types(id)).at(-1)));
    await victim.kill();
    const killedAt = Date.now();
    // Down for 20 s of the run, then back as after a crash (its store kept): the cluster goes on
    // without it meanwhile, and it catches up.
    const restarted = new Promise((r) => setTimeout(r, 20_000)).then(() => victim.restart());
    // Not every job is past the kill: some stages ran with one node gone.
    expect(stagesAtKill.filter((t) => t !== 'MigrationVerified').length).toBeGreaterThan(0);

    // What each job was last seen doing, for the message of a job that never ends.
    const seen = new Map<string, string>();
    const endings = await Promise.all(
      jobIds.map((jobId) =>
        until(
          async () => {
            const { events } = await p.store.read<MigrationEvent>(migrationStream(jobId));
            const last = events.at(-1)?.type;
            seen.set(
              jobId,
              events
                .map((e) => (e.type === 'MigrationFailed' ? JSON.stringify(e.data) : e.type))
                .join(' '),
            );
            return last === 'MigrationVerified' || last === 'RollbackCompleted'
              ? events
              : undefined;
          },
          `job ${jobId} ended`,
          150_000,
        ).catch((error: unknown) => {
          throw new Error(`${(error as Error).message}; its events: ${seen.get(jobId)}`, {
            cause: error,
          });
        }),
      ),
    );

    await restarted;
    console.log(
      `killed ${victim.name} (leader of ${STREAMS.events}) with the jobs at ${stagesAtKill.join(', ')}; restarted 20 s later; every job ended ${Math.round((Date.now() - killedAt) / 1000)} s after the kill`,
    );
    for (const [i, events] of endings.entries()) {
      const jobId = jobIds[i] as string;
      // A job that failed says how, in the message: its events, a failure's data in full.
      expect(events.at(-1)?.type, `${jobId}: ${seen.get(jobId)}`).toBe('MigrationVerified');
      const counts = new Map<string, number>();
      for (const e of events) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
      for (const type of ONCE_EACH)
        expect(counts.get(type) ?? 0, `${jobId} ${type}: ${seen.get(jobId)}`).toBe(1);
      expect(
        events.filter((e) => /Fail|Rollback|Cancel/.test(e.type)),
        jobId,
      ).toEqual([]);
      expect(new Set(events.map((e) => e.eventId)).size, jobId).toBe(events.length);
    }

    // One job per VM in the whole store, and one image and one server per job in OpenStack.
    const created = await until(
      async () => {
        const byVm = new Map<string, string[]>();
        for await (const commit of p.store.readAll(0, { category: 'migration' }))
          for (const e of commit.events as readonly MigrationEvent[])
            if (e.type === 'MigrationCreated')
              byVm.set(e.data.vmKey, [...(byVm.get(e.data.vmKey) ?? []), e.data.jobId]);
        return byVm;
      },
      'the store read',
      60_000,
    );
    expect([...created.keys()].sort()).toEqual([...keys].sort());
    for (const [vmKey, jobs] of created) expect(jobs, vmKey).toHaveLength(1);
    const now = p.resources();
    for (const jobId of jobIds) {
      const { servers, images } = now.of(jobId);
      expect([servers.length, images.length], jobId).toEqual([1, 1]);
    }
    // No job's command given up on (a periodic inventory refresh may be: the next one replaces it),
    // and every service still running.
    const deadLetters = (await jsm.streams.info(STREAMS.deadLetters, { subjects_filter: '>' }))
      .state.subjects;
    expect(
      Object.keys(deadLetters ?? {}).filter((subject) => subject !== 'ferry.dlq.discovery.refresh'),
    ).toEqual([]);
    for (const [key, s] of p.services) expect(s.process.exitCode, key).toBeNull();

    // The restarted node caught up: every replica of the store current again.
    await until(
      async () => {
        const { cluster: c } = await jsm.streams.info(STREAMS.events);
        return c?.replicas?.length === 2 && c.replicas.every((r) => r.current && !r.offline)
          ? true
          : undefined;
      },
      'the restarted node current',
      60_000,
    );
  }, 420_000);
});
