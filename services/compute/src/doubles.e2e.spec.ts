import { jetstream } from '@nats-io/jetstream';
import { publishCommand } from '@ferry/messaging';
import { startPipeline, type Pipeline } from '@ferry/pipeline-testing';
import { eventually, startFaultProxy, type FaultProxy } from '@ferry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const NOVA = 'http://127.0.0.1:8774/v2.1';
const minutes = (n: number) => n * 60_000;

/**
 * One deployment asked for twice (two command ids: a process manager's republish after the dedupe
 * window, an operator's tool) and handled by two compute replicas at once: one of them holds the
 * stage, the other changes nothing. One server, one volume per disk, one port per NIC.
 */
describe('the same deployment sent twice to two compute replicas', () => {
  let p: Pipeline;
  let nova: FaultProxy;
  let jobId: string;

  beforeAll(async () => {
    // Nova answering slowly: the two replicas' deployments overlap.
    nova = await startFaultProxy(NOVA, { delayMs: 500 });
    await nova.mode('delay');
    p = await startPipeline({ OS_COMPUTE_ENDPOINT_OVERRIDE: nova.url });
    for (const name of ['discovery', 'jobs', 'conversion', 'image', 'rollback'] as const)
      p.start(name);
  }, minutes(10));
  afterAll(async () => {
    if (jobId) p?.removeResourcesOf([jobId]);
    await p?.close();
    await nova?.close();
  });

  it(
    'makes one server, one volume per disk, one port per NIC',
    async () => {
      p.writeVm('twice', { mib: 16, disks: 2, nics: 2 });
      const key = await p.discovered('twice');
      const { jobs } = await p.migrate('twice', [key], {
        strategy: 'qemu-img',
        bootMode: 'volume',
      });
      jobId = jobs[0]?.jobId as string;
      // Uploaded, and its deployment waiting in the queue: no compute service runs yet.
      await eventually(
        async () => (await p.events(jobId)).some((e) => e.type === 'ImageUploadCompleted'),
        'the job uploaded',
        { timeoutMs: minutes(3), intervalMs: 200 },
      );
      await publishCommand(jetstream(p.nc), {
        type: 'DeployServer',
        data: { jobId },
        metadata: { commandId: `deploy-again-${jobId}` },
      });
      p.start('compute', 'compute-1');
      p.start('compute', 'compute-2');
      const events = await p.ended(jobId, minutes(5));
      expect(events.at(-1)?.type).toBe('MigrationVerified');
      expect(events.filter((e) => e.type === 'ServerDeployed')).toHaveLength(1);
      // Never held twice at once: a claim after the first (a holder that let go on an error not the
      // job's, its command then delivered again) follows the release of the one before, or takes over
      // a lease that lapsed (a holder too slow to renew it, as on a loaded machine).
      const story = events
        .map((e) => ('holder' in e.data ? `${e.type} ${e.data.holder as string}` : e.type))
        .join(', ');
      let holder: string | undefined;
      let claims = 0;
      for (const e of events) {
        if (e.type === 'StageReleased') holder = undefined;
        if (e.type !== 'StageClaimed' || e.data.stage !== 'deployment') continue;
        if (holder !== undefined)
          expect(e.data.takenOverFrom, `claimed while held: ${story}`).toBe(holder);
        holder = e.data.holder;
        claims += 1;
      }
      expect(claims, story).toBeGreaterThan(0);
      const { servers, ports, volumes } = p.resourcesOf(jobId);
      expect({ servers: servers.length, ports: ports.length, volumes: volumes.length }).toEqual({
        servers: 1,
        ports: 2,
        volumes: 2,
      });
    },
    minutes(10),
  );
});
