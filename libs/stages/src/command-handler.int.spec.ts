import { eventId, handleCommand, JetStreamEventStore } from '@ferry/event-store';
import { migrationDecider, vmClaimDecider, type VmClaimCommand } from '@ferry/domain';
import { describe, expect, it } from 'vitest';
import { cancelMigration, commandContext, createMigration } from './testing/migration-commands.ts';
import { storeOnRealNats } from './testing/nats-fixture.ts';

const cancel = (n: number) => cancelMigration('job-d', `cancel-${n}`);
const claim = (jobId: string, vmKey = 'ws-alpha'): VmClaimCommand => ({
  type: 'ClaimVm',
  data: { vmKey, jobId },
  metadata: commandContext(`claim-${jobId}`),
});

describe('handleCommand on the JetStream store', () => {
  const fixture = storeOnRealNats();

  it('appends what the decider decides, with ids derived from the command', async () => {
    const result = await handleCommand(
      fixture.store,
      migrationDecider,
      'migration-job-a',
      createMigration('job-a'),
    );
    expect(result.events.map((e) => e.type)).toEqual(['MigrationCreated']);
    expect(result.state.phase).toBe('PENDING');
    const read = await fixture.store.read('migration-job-a');
    expect(read.events[0]?.eventId).toBe(eventId('migration-job-a', 'create-job-a', 0));
  });

  it('a re-delivered command appends nothing', async () => {
    await handleCommand(
      fixture.store,
      migrationDecider,
      'migration-job-b',
      createMigration('job-b'),
    );
    const again = await handleCommand(
      fixture.store,
      migrationDecider,
      'migration-job-b',
      createMigration('job-b'),
    );
    expect(again.events).toEqual([]);
    expect((await fixture.store.read('migration-job-b')).events).toHaveLength(1);
  });

  it("passes the decider's refusal through, appending nothing", async () => {
    await handleCommand(
      fixture.store,
      migrationDecider,
      'migration-job-c',
      createMigration('job-c'),
    );
    await expect(
      handleCommand(fixture.store, migrationDecider, 'migration-job-c', {
        ...createMigration('job-c'),
        metadata: commandContext('other'),
      }),
    ).rejects.toMatchObject({ code: 'ILLEGAL_STATE' });
    expect((await fixture.store.read('migration-job-c')).events).toHaveLength(1);
  });

  it('concurrent commands on one stream, through separate clients, each decided on the latest state', async () => {
    await handleCommand(
      fixture.store,
      migrationDecider,
      'migration-job-d',
      createMigration('job-d'),
    );
    const clients = await Promise.all(
      Array.from({ length: 8 }, async () => new JetStreamEventStore(await fixture.nats.connect())),
    );
    // Eight operators cancel at once: the first wins; the rest see a FAILED job and are refused.
    const results = await Promise.allSettled(
      clients.map((c, i) => handleCommand(c, migrationDecider, 'migration-job-d', cancel(i))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results)
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'ILLEGAL_STATE' });
    expect((await fixture.store.read('migration-job-d')).events.map((e) => e.type)).toEqual([
      'MigrationCreated',
      'CancelRequested',
      'MigrationFailed',
    ]);
  });

  it('a client that saw the stream before another wrote to it decides on what is there now', async () => {
    const seen = new JetStreamEventStore(await fixture.nats.connect());
    const other = new JetStreamEventStore(await fixture.nats.connect());
    const types = async () =>
      (await fixture.store.read('migration-job-e')).events.map((e) => e.type);
    await handleCommand(seen, migrationDecider, 'migration-job-e', createMigration('job-e'));
    // Its view is stale: the append is refused and decided again on the latest state.
    await handleCommand(other, migrationDecider, 'migration-job-e', cancelMigration('job-e', 'x'));
    await expect(
      handleCommand(seen, migrationDecider, 'migration-job-e', cancelMigration('job-e', 'y')),
    ).rejects.toMatchObject({ code: 'ILLEGAL_STATE' });
    expect(await types()).toEqual(['MigrationCreated', 'CancelRequested', 'MigrationFailed']);
    // What its stale view refuses, or finds already done, is asked again of the latest state.
    const claimed = new JetStreamEventStore(await fixture.nats.connect());
    await handleCommand(claimed, vmClaimDecider, 'vm-ws-epsilon', claim('job-1', 'ws-epsilon'));
    await handleCommand(other, vmClaimDecider, 'vm-ws-epsilon', {
      type: 'ReleaseVm',
      data: { vmKey: 'ws-epsilon', jobId: 'job-1', reason: 'verified' },
      metadata: commandContext('release-job-1'),
    });
    const second = await handleCommand(
      claimed,
      vmClaimDecider,
      'vm-ws-epsilon',
      claim('job-2', 'ws-epsilon'),
    );
    expect(second.events).toHaveLength(1);
    expect((await fixture.store.read('vm-ws-epsilon')).events).toHaveLength(3);
  });

  it('the VM claim is a lock: of 10 jobs racing for one VM through separate clients, one holds it', async () => {
    const clients = await Promise.all(
      Array.from({ length: 10 }, async () => new JetStreamEventStore(await fixture.nats.connect())),
    );
    const results = await Promise.allSettled(
      clients.map((c, i) => handleCommand(c, vmClaimDecider, 'vm-ws-alpha', claim(`job-${i}`))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results)
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'CONFLICT' });
    expect((await fixture.store.read('vm-ws-alpha')).events).toHaveLength(1);
  });
});
