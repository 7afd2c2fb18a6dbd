import type { MigrationEvent } from '@ferry/contracts';
import { StoreUnavailableError, type EventStore } from '@ferry/event-store';
import { eventually } from '@ferry/testing';
import { describe, expect, it } from 'vitest';
import { runStage, type StageDefinition } from './stage-runner.ts';
import { commandContext, delivered, discoveredJob, storeOnRealNats } from './testing/index.ts';

const conversion: StageDefinition = {
  stage: 'conversion',
  leased: () => true,
  failureOf: () => undefined, // an outage is never the job's failure
};

/** The real store, with its appends refused while `away` is set: a store whose leader is elected. */
function storeThatGoesAway(store: EventStore) {
  const state = { away: false };
  const flaky: EventStore = Object.create(store, {
    append: {
      value: (...args: Parameters<EventStore['append']>) =>
        state.away
          ? Promise.reject(new StoreUnavailableError('append', new Error('no leader')))
          : store.append(...args),
    },
  }) as EventStore;
  return { flaky, state };
}

describe('runStage when the store goes away mid-stage', () => {
  const fixture = storeOnRealNats();

  it('given the release could not be recorded, when the store is back, then the lease is let go and the command claims the stage again', async () => {
    const jobId = 'outage-release';
    const stream = await discoveredJob(fixture.store, jobId);
    const { flaky, state } = storeThatGoesAway(fixture.store);
    const deps = {
      store: flaky,
      nc: await fixture.nats.connect(),
      service: 'int',
      leaseMs: 120_000,
    };
    const run = (deliveryCount: number, work: () => Promise<void>) =>
      runStage(
        deps,
        conversion,
        jobId,
        commandContext('convert-1'),
        delivered(7, deliveryCount),
        work,
      );

    // The work meets the outage; so does the release of its lease.
    await expect(
      run(1, async () => {
        state.away = true;
        throw new StoreUnavailableError('append', new Error('no leader'));
      }),
    ).rejects.toThrow(StoreUnavailableError);
    state.away = false;

    const types = async () =>
      (await fixture.store.read<MigrationEvent>(stream)).events.map((e) => e.type);
    await eventually(
      async () => (await types()).includes('StageReleased'),
      'the release recorded',
      {
        timeoutMs: 5_000,
      },
    );
    // The same command, delivered again: it claims the stage at once, not when the lease lapses.
    let ran = false;
    await run(2, async () => {
      ran = true;
    });
    expect(ran).toBe(true);
    expect((await types()).filter((t) => t === 'StageClaimed')).toHaveLength(2);
  });
});
