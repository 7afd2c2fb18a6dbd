import type { MigrationEvent } from '@ferry/contracts';
import { discoveredJob, storeOnRealNats, testVm } from '@ferry/stages/testing';
import { eventually } from '@ferry/testing';
import { describe, expect, it } from 'vitest';
import { stageBudgetMs, Watchdog, type StageBudgets } from './watchdog.ts';

const seconds = (n: number) => ({ baseMs: n * 1000, perGibMs: 0 });
/** Conversion may take 2 s here, and 1 s more per GiB of the VM's disks. */
const budgets: StageBudgets = {
  validation: seconds(60),
  conversion: { baseMs: 2_000, perGibMs: 1_000 },
  upload: seconds(60),
  deployment: seconds(60),
  verification: seconds(60),
};

describe('the watchdog', () => {
  const fixture = storeOnRealNats();

  it("budgets grow with the VM's disks", () => {
    const job = {
      vm: { ...testVm, disks: testVm.disks.map((d) => ({ ...d, capacityBytes: 3 * 1024 ** 3 })) },
    };
    expect(stageBudgetMs('conversion', job as never, budgets)).toBe(
      2_000 + 3_000 * testVm.disks.length,
    );
    expect(stageBudgetMs('validation', job as never, budgets)).toBe(60_000);
  });

  it('fails a job left with no command in flight once its stage outlives its budget; two replicas record it once', async () => {
    const vm = { ...testVm, disks: testVm.disks.map((d) => ({ ...d, capacityBytes: 1024 })) };
    const stream = await discoveredJob(fixture.store, 'stranded', {
      vm,
      at: new Date().toISOString(),
    });
    const stopping = new AbortController();
    const replicas = [1, 2].map(
      () => new Watchdog({ store: fixture.store, budgets, intervalMs: 200 }),
    );
    const running = replicas.map((w) => w.run(stopping.signal));
    const started = Date.now();
    const early = await fixture.store.read<MigrationEvent>(stream);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(early.events.some((e) => e.type === 'MigrationFailed')).toBe(false);
    expect(
      (await fixture.store.read<MigrationEvent>(stream)).events.some(
        (e) => e.type === 'MigrationFailed',
      ),
      'failed before its budget ran out',
    ).toBe(false);
    const failed = await eventually(
      async () =>
        (await fixture.store.read<MigrationEvent>(stream)).events.find(
          (e) => e.type === 'MigrationFailed',
        ),
      'the stranded job failed',
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    // Its budget (2 s and a little for its 1 KiB) after the stage began, within a check or two.
    expect(Date.now() - started).toBeLessThan(2_000 + 1_500);
    expect(failed?.data).toMatchObject({
      stage: 'conversion',
      code: 'stage-timeout',
      retryable: true,
    });
    await new Promise((r) => setTimeout(r, 600));
    stopping.abort();
    await Promise.all(running);
    const { events } = await fixture.store.read<MigrationEvent>(stream);
    expect(events.filter((e) => e.type === 'MigrationFailed')).toHaveLength(1);
  });
});
