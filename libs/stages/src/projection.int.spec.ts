import {
  handleCommand,
  KvCheckpointStore,
  rebuildProjection,
  runProjection,
  streamView,
} from '@ferry/event-store';
import { migrationDecider, migrationStatus, type MigrationDecisionState } from '@ferry/domain';
import type { MigrationEvent } from '@ferry/contracts';
import { describe, expect, it } from 'vitest';
import { cancelMigration, createMigration } from './testing/migration-commands.ts';
import { storeOnRealNats } from './testing/nats-fixture.ts';
import { eventually } from '@ferry/testing';

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

describe('projection runner with checkpoints in NATS KV', () => {
  const fixture = storeOnRealNats();

  it('the live model, stopped and resumed from its checkpoint, equals a rebuild from position 0', async () => {
    const checkpoints = new KvCheckpointStore(await fixture.nats.connect());
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
      await handleCommand(
        fixture.store,
        migrationDecider,
        `migration-j${i}`,
        createMigration(`j${i}`),
      );
    const first = new AbortController();
    const running = runProjection(fixture.store, checkpoints, counting, first.signal);
    for (let i = 0; i < 10; i++)
      await handleCommand(
        fixture.store,
        migrationDecider,
        `migration-j${i}`,
        cancelMigration(`j${i}`),
      );
    await eventually(
      () => live.states.get('migration-j9')?.revision === 2,
      'the live model to catch up',
    );
    first.abort();
    await running;
    const checkpoint = await checkpoints.load('job-list');
    expect(checkpoint).toBe(handled.at(-1));

    // While it is down, more happens; resumed, it picks up exactly after its checkpoint.
    for (let i = 10; i < 20; i++)
      await handleCommand(
        fixture.store,
        migrationDecider,
        `migration-j${i}`,
        cancelMigration(`j${i}`),
      );
    const second = new AbortController();
    const resumed = runProjection(fixture.store, checkpoints, counting, second.signal);
    await eventually(
      () => live.states.get('migration-j19')?.revision === 2,
      'the live model to catch up',
    );
    second.abort();
    await resumed;

    expect(new Set(handled).size).toBe(handled.length); // no commit handled twice
    expect([...handled].sort((a, b) => a - b)).toEqual(handled); // in order
    const rebuilt = jobList();
    await rebuildProjection(fixture.store, rebuilt.projection);
    expect(summary(rebuilt)).toEqual(summary(live));
    expect(summary(live)['migration-j3']).toEqual({ revision: 2, status: 'FAILED' });
    expect(Object.keys(summary(live))).toHaveLength(20);
  });

  it('a view applies a commit only after the revision it holds: a repeat changes nothing', async () => {
    const view = jobList();
    await rebuildProjection(fixture.store, view.projection);
    const before = summary(view);
    for await (const commit of fixture.store.readAll<MigrationEvent>())
      await view.projection.handle(commit);
    expect(summary(view)).toEqual(before);
  });
});
