import {
  migrationDecider,
  migrationStatus,
  type MigrationCommand,
  type MigrationDecisionState,
} from '@ferry/domain';
import type { MigrationEvent } from '@ferry/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleCommand } from './command-handler.ts';
import { JetStreamEventStore } from './jetstream/jetstream-event-store.ts';
import { KvCheckpointStore } from './jetstream/kv-checkpoints.ts';
import { rebuildProjection, runProjection, streamView } from './projection.ts';
import { natsWithStreams } from './testing/nats-fixture.ts';

const context = (commandId: string) => ({
  commandId,
  correlationId: 'corr',
  now: '2026-11-25T10:00:00Z',
});
const create = (jobId: string): MigrationCommand => ({
  type: 'CreateMigration',
  data: {
    jobId,
    vmKey: `ws-${jobId}`,
    vmName: jobId,
    source: { kind: 'workstation', id: '/vms' },
    options: {
      strategy: 'qemu-img',
      bootMode: 'image',
      flavor: null,
      networkMapping: {},
      keepMac: false,
    },
    flags: { realConversion: true, openstackDeployment: true, rollback: true },
  },
  metadata: context(`create-${jobId}`),
});
const cancel = (jobId: string): MigrationCommand => ({
  type: 'CancelMigration',
  data: { reason: 'r', requestedBy: 'op' },
  metadata: context(`cancel-${jobId}`),
});

/** The job list: each job's operator-visible state. */
const jobList = () =>
  streamView<MigrationEvent, MigrationDecisionState>({
    name: 'job-list',
    accepts: (s) => s.startsWith('migration-'),
    initialState: migrationDecider.initialState,
    evolve: (state, event) => migrationDecider.evolve(state, event),
  });
const summary = (view: ReturnType<typeof jobList>) =>
  Object.fromEntries(
    [...view.states].map(([stream, { revision, state }]) => [
      stream,
      { revision, status: state.phase === 'Empty' ? 'Empty' : migrationStatus(state.phase) },
    ]),
  );

const until = async (check: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('projection runner with checkpoints in NATS KV', () => {
  let nats: Awaited<ReturnType<typeof natsWithStreams>>;
  let store: JetStreamEventStore;
  beforeAll(async () => {
    nats = await natsWithStreams();
    store = new JetStreamEventStore(await nats.connect());
  });
  afterAll(async () => nats.close());

  it('the live model, stopped and resumed from its checkpoint, equals a rebuild from position 0', async () => {
    const checkpoints = new KvCheckpointStore(await nats.connect());
    const live = jobList();
    const handled: number[] = [];
    const counting = {
      name: live.projection.name,
      handle: (c: Parameters<typeof live.projection.handle>[0]) => (
        handled.push(c.position),
        live.projection.handle(c)
      ),
    };

    for (let i = 0; i < 20; i++)
      await handleCommand(store, migrationDecider, `migration-j${i}`, create(`j${i}`));
    const first = new AbortController();
    const running = runProjection(store, checkpoints, counting, first.signal);
    for (let i = 0; i < 10; i++)
      await handleCommand(store, migrationDecider, `migration-j${i}`, cancel(`j${i}`));
    await until(() => live.states.get('migration-j9')?.revision === 2);
    first.abort();
    await running;
    const checkpoint = await checkpoints.load('job-list');
    expect(checkpoint).toBe(handled.at(-1));

    // While it is down, more happens; resumed, it picks up exactly after its checkpoint.
    for (let i = 10; i < 20; i++)
      await handleCommand(store, migrationDecider, `migration-j${i}`, cancel(`j${i}`));
    const second = new AbortController();
    const resumed = runProjection(store, checkpoints, counting, second.signal);
    await until(() => live.states.get('migration-j19')?.revision === 2);
    second.abort();
    await resumed;

    expect(new Set(handled).size).toBe(handled.length); // no commit handled twice
    expect([...handled].sort((a, b) => a - b)).toEqual(handled); // in order
    const rebuilt = jobList();
    await rebuildProjection(store, rebuilt.projection);
    expect(summary(rebuilt)).toEqual(summary(live));
    expect(summary(live)['migration-j3']).toEqual({ revision: 2, status: 'FAILED' });
    expect(Object.keys(summary(live))).toHaveLength(20);
  });

  it('a view applies a commit only after the revision it holds: a repeat changes nothing', async () => {
    const view = jobList();
    await rebuildProjection(store, view.projection);
    const before = summary(view);
    for await (const commit of store.readAll<MigrationEvent>())
      await view.projection.handle(commit);
    expect(summary(view)).toEqual(before);
  });
});
