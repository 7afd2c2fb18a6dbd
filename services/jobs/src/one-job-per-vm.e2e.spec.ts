import { jetstream } from '@nats-io/jetstream';
import { selectionStreamId, type EventOf, vmClaimStream } from '@ferry/contracts';
import { publishCommand } from '@ferry/messaging';
import { eventually } from '@ferry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline, type Pipeline } from '@ferry/pipeline-testing';

const VMS = 12;
const PUBLISHERS = 10;

describe('one active job per VM, whatever the publishers and replicas', () => {
  let p: Pipeline;
  beforeAll(async () => {
    // No conversion service: the jobs stay active (DISCOVERED, waiting for it) for the whole test.
    p = await startPipeline({
      ENABLE_REAL_CONVERSION: 'false',
      ENABLE_OPENSTACK_DEPLOYMENT: 'false',
    });
    p.start('discovery');
    for (const replica of [1, 2, 3]) p.start('jobs', `jobs-${replica}`);
  }, 120_000);
  afterAll(async () => {
    await p?.close();
  });

  it('10 publishers send the same selection at once to 3 jobs replicas: each VM gets exactly one job', async () => {
    const names = Array.from({ length: VMS }, (_, i) => `claim-${i}`);
    for (const name of names) p.writeVm(name, { mib: 1 });
    const keys = await Promise.all(names.map((n) => p.discovered(n)));
    // Each publisher its own connection and its own command id: nothing for JetStream's dedupe to merge.
    const connections = await Promise.all(Array.from({ length: PUBLISHERS }, () => p.connect()));
    await Promise.all(
      connections.map((nc, i) =>
        publishCommand(jetstream(nc), {
          type: 'CreateMigrations',
          data: { vmKeys: [...keys].sort(() => (i % 2 ? 1 : -1)) },
          metadata: { commandId: `publisher-${i}` },
        }),
      ),
    );
    const outcomes = await Promise.all(
      connections.map(async (_, i) => {
        const stream = `selection-${await selectionStreamId(`publisher-${i}`)}`;
        await eventually(async () => (await p.store.read(stream)).events.length > 0, stream, {
          timeoutMs: 60_000,
        });
        return (
          (await p.store.read(stream))
            .events[0] as unknown as EventOf<'MigrationSelectionProcessed'>
        ).data;
      }),
    );
    for (const key of keys) {
      const created = outcomes.flatMap((o) => o.jobs.filter((j) => j.vmKey === key));
      expect(created, `jobs for ${key}`).toHaveLength(1);
      const winner = created[0]?.jobId;
      const skipped = outcomes.flatMap((o) => o.skipped.filter((s) => s.vmKey === key));
      expect(skipped).toHaveLength(PUBLISHERS - 1);
      for (const s of skipped)
        expect(s).toEqual({ vmKey: key, reason: 'active-job', activeJobId: winner });
      // The store agrees: one job stream for the VM, its claim held by that job.
      const claim = (await p.store.read(vmClaimStream(key))).events;
      expect(claim.map((e) => [e.type, (e.data as { jobId: string }).jobId])).toEqual([
        ['VmClaimed', winner],
      ]);
    }
    let jobs = 0;
    for await (const commit of p.store.readAll(0, { category: 'migration' }))
      jobs += commit.events.filter((e) => e.type === 'MigrationCreated').length;
    expect(jobs).toBe(VMS);
    await Promise.all(connections.map((nc) => nc.close()));
  });
});
