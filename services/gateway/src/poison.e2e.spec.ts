import { jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline, type Pipeline } from '@ferry/pipeline-testing';
import { eventually } from '@ferry/testing';
import { dataOf, startGatewayProcess, type GatewayProcess } from './testing/gateway-client.ts';

const JOBS = `{ migrations(first: 100) { totalCount edges { node { id state } } }
  quarantine { totalCount commits { position subject stream reason } } }`;
const metadata = {
  commandId: 'poison',
  correlationId: 'poison',
  causationId: 'poison',
  occurredAt: '2026-12-05T00:00:00Z',
};

/**
 * What a client with no business on FERRY_EVT can write there (until NATS permissions stop it):
 * bytes that are no commit, an event type no version of Ferry knows, an event without its
 * metadata. Ferry's readers quarantine each and go on: the gateway rebuilds and lists the other
 * jobs, the jobs service keeps creating and driving jobs, after a restart of both too.
 */
describe('poison on the event stream', () => {
  let p: Pipeline;
  let gateway: GatewayProcess | undefined;
  beforeAll(async () => {
    p = await startPipeline({
      ENABLE_REAL_CONVERSION: 'false',
      ENABLE_OPENSTACK_DEPLOYMENT: 'false',
    });
    for (const name of ['discovery', 'jobs', 'conversion', 'image', 'compute'] as const)
      p.start(name);
  }, 600_000);
  afterAll(async () => {
    await gateway?.process.stop();
    await p?.close();
  });

  it('is quarantined: the gateway is ready at once listing the other jobs, the jobs service goes on', async () => {
    p.writeVm('poison-before');
    p.writeVm('poison-after');
    const [before, after] = await Promise.all([
      p.discovered('poison-before'),
      p.discovered('poison-after'),
    ]);
    const first = await p.migrate('poison-first', [before]);
    const firstJob = first.jobs[0]?.jobId as string;
    expect((await p.ended(firstJob, 60_000)).at(-1)?.type).toBe('MigrationVerified');

    const raw = jetstream(await p.connect());
    const encode = (value: unknown) => JSON.stringify(value);
    await raw.publish('ferry.evt.migration.poison-bytes', 'not json');
    await raw.publish(
      'ferry.evt.migration.poison-unknown',
      encode({
        revision: 0,
        events: [{ id: 'u1', type: 'MigrationTeleported', data: { jobId: 'x' }, metadata }],
      }),
    );
    await raw.publish(
      'ferry.evt.migration.poison-nometa',
      encode({
        revision: 0,
        events: [
          {
            id: 'n1',
            type: 'MigrationRetried',
            data: { jobId: 'poison-nometa', attempt: 2, reason: 'r' },
          },
        ],
      }),
    );

    // The jobs service meets them live (its process manager), then again from the start.
    const second = await p.migrate('poison-second', [after]);
    const secondJob = second.jobs[0]?.jobId as string;
    expect((await p.ended(secondJob, 60_000)).at(-1)?.type).toBe('MigrationVerified');
    await p.services.get('jobs')?.stop();
    const jobs = p.start('jobs');

    const startedAt = Date.now();
    gateway = await startGatewayProcess(p.env);
    const readyMs = Date.now() - startedAt;
    expect(readyMs).toBeLessThan(10_000);
    const data = await dataOf(gateway, JOBS);
    const listed = (data.migrations.edges as { node: { id: string; state: string } }[]).map((e) => [
      e.node.id,
      e.node.state,
    ]);
    expect(listed).toEqual(
      expect.arrayContaining([
        [firstJob, 'VERIFIED'],
        [secondJob, 'VERIFIED'],
      ]),
    );
    expect(data.migrations.totalCount).toBe(2);
    expect(data.quarantine.totalCount).toBe(3);
    expect(
      (data.quarantine.commits as { stream: string; reason: string }[]).map((c) => [
        c.stream,
        c.reason,
      ]),
    ).toEqual([
      ['migration-poison-bytes', expect.stringContaining('not a JSON commit')],
      [
        'migration-poison-unknown',
        expect.stringContaining("unknown event type 'MigrationTeleported'"),
      ],
      ['migration-poison-nometa', expect.stringContaining('/metadata is required')],
    ]);

    // The restarted jobs service is alive and still makes and drives jobs.
    p.writeVm('poison-later');
    const later = await p.migrate('poison-third', [await p.discovered('poison-later')]);
    const thirdJob = later.jobs[0]?.jobId as string;
    expect((await p.ended(thirdJob, 60_000)).at(-1)?.type).toBe('MigrationVerified');
    expect(jobs.process.exitCode).toBeNull();
    await eventually(
      async () => (await dataOf(gateway as GatewayProcess, JOBS)).migrations.totalCount === 3,
      'the gateway lists the third job',
      { timeoutMs: 10_000, intervalMs: 200 },
    );
  }, 300_000);
});
