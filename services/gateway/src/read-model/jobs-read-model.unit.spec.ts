import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MigrationEvent, SourceRef } from '@ferry/contracts';
import { migrationStream } from '@ferry/contracts';
import { migrationDecider, type MigrationCommand } from '@ferry/domain';
import type { Commit } from '@ferry/event-store';
import { createMigration } from '@ferry/stages/testing';
import { InventoryReadModel } from './inventory-read-model.ts';
import { JobsReadModel } from './jobs-read-model.ts';
import { Quarantine } from './quarantine.ts';
import { readSnapshot, writeSnapshot } from './snapshot-file.ts';

/** A job's commits as the store would give them: one per command, revisions from 0. */
function history(
  jobId: string,
  createdAt: string,
  more: readonly MigrationCommand[] = [],
  flags?: Parameters<typeof createMigration>[1],
  vmKey = `ws-${jobId}`,
  source?: SourceRef,
) {
  const create = createMigration(jobId, flags);
  const commands = [
    {
      ...create,
      data: { ...create.data, vmKey, ...(source && { source }) },
      metadata: { ...create.metadata, now: createdAt },
    },
    ...more,
  ];
  let state = migrationDecider.initialState;
  let revision = 0;
  return commands.map((command): Commit<MigrationEvent> => {
    const events = migrationDecider.decide(command, state) as MigrationEvent[];
    state = events.reduce(migrationDecider.evolve, state);
    const recorded = events.map((e, i) => ({
      ...e,
      eventId: `${jobId}-${revision + i}`,
      streamName: migrationStream(jobId),
      revision: revision + i,
      position: 0,
    }));
    revision += events.length;
    return { streamName: migrationStream(jobId), position: 0, events: recorded } as never;
  });
}

const failure = (jobId: string, at: string): MigrationCommand => ({
  type: 'FailMigration',
  data: { stage: 'validation', code: 'test', message: 'm', retryable: false },
  metadata: { commandId: `fail-${jobId}`, correlationId: 'c', now: at },
});

/** Jobs j0..j(n-1), created a minute apart: j(n-1) is the newest. */
function modelOf(n: number) {
  const model = new JobsReadModel();
  for (let i = 0; i < n; i++)
    for (const c of history(`j${i}`, new Date(Date.UTC(2026, 10, 26, 0, i)).toISOString()))
      model.apply(c);
  return model;
}
const ids = (page: { jobs: readonly { job: { jobId: string } }[] }) =>
  page.jobs.map((v) => v.job.jobId);

describe('the jobs read model', () => {
  it('pages newest first, forwards from a cursor and backwards before one', () => {
    const model = modelOf(5);
    const first = model.page({}, { first: 2 });
    expect(ids(first)).toEqual(['j4', 'j3']);
    expect(first).toMatchObject({ hasNextPage: true, hasPreviousPage: false, totalCount: 5 });
    const cursor = (id: string) => {
      const v = model.get(id);
      return { createdAt: v?.createdAt ?? '', jobId: id };
    };
    const second = model.page({}, { first: 2, after: cursor('j3') });
    expect(ids(second)).toEqual(['j2', 'j1']);
    expect(second).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const back = model.page({}, { last: 2, before: cursor('j1') });
    expect(ids(back)).toEqual(['j3', 'j2']);
    expect(back).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    expect(ids(model.page({}, { first: 10, after: cursor('j0') }))).toEqual([]);
  });

  it('filters by state, VM name and creation time, and counts what the filter keeps', () => {
    const model = modelOf(4);
    for (const c of history('j9', '2026-11-26T01:00:00.000Z', [
      failure('j9', '2026-11-26T01:00:01.000Z'),
    ]))
      model.apply(c);
    expect(ids(model.page({ states: ['FAILED'] }, {}))).toEqual(['j9']);
    expect(model.page({ states: ['PENDING'] }, {}).totalCount).toBe(4);
    expect(ids(model.page({ vmName: 'J2' }, {}))).toEqual(['j2']);
    expect(
      ids(
        model.page(
          { createdAfter: '2026-11-26T00:01:00.000Z', createdBefore: '2026-11-26T00:03:00.000Z' },
          {},
        ),
      ),
    ).toEqual(['j2', 'j1']);
  });

  it('pages and counts by states, VM, source and creation time as a scan of every job would, as jobs change state', () => {
    const sources: readonly SourceRef[] = [
      { kind: 'esxi', id: 'esx01' },
      { kind: 'esxi', id: 'esx02' },
      { kind: 'workstation', id: '/vms' },
    ];
    const at = (minute: number, second = 0) =>
      new Date(Date.UTC(2026, 10, 26, 0, minute, second)).toISOString();
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            minute: fc.integer({ min: 0, max: 20 }),
            fails: fc.boolean(),
            vm: fc.integer({ min: 0, max: 2 }),
            source: fc.integer({ min: 0, max: 2 }),
          }),
          { minLength: 1, maxLength: 25 },
        ),
        fc.subarray(['PENDING', 'FAILED', 'VERIFIED'] as const),
        fc.record({
          vm: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
          source: fc.option(fc.constantFrom('esxi:esx01', 'esxi', 'workstation:/vms', 'vcenter'), {
            nil: undefined,
          }),
          after: fc.option(fc.integer({ min: 0, max: 21 }), { nil: undefined }),
          before: fc.option(fc.integer({ min: 0, max: 21 }), { nil: undefined }),
        }),
        fc.integer({ min: 1, max: 7 }),
        (jobs, states, window, first) => {
          const model = new JobsReadModel();
          const histories = jobs.map((j, i) =>
            history(
              `j${i}`,
              at(j.minute),
              j.fails ? [failure(`j${i}`, at(j.minute, 30))] : [],
              undefined,
              `ws-vm${j.vm}`,
              sources[j.source],
            ),
          );
          const filter = {
            states,
            ...(window.vm !== undefined && { vmKey: `ws-vm${window.vm}` }),
            ...(window.source !== undefined && { source: window.source }),
            // Another format than the jobs' own times: compared as text, as the filter is.
            ...(window.after !== undefined && { createdAfter: at(window.after).slice(0, 19) }),
            ...(window.before !== undefined && { createdBefore: at(window.before) }),
          };
          // Every job created, then some failed: each moves from one state's index to another's.
          for (const h of histories) model.apply(h[0] as Commit<MigrationEvent>);
          for (const h of histories) for (const c of h.slice(1)) model.apply(c);
          const expected = jobs
            .map((_, i) => model.get(`j${i}`) as NonNullable<ReturnType<typeof model.get>>)
            .filter((v) => states.length === 0 || (states as string[]).includes(v.state))
            .filter((v) => !filter.vmKey || v.job.vmKey === filter.vmKey)
            .filter(
              (v) =>
                !filter.source ||
                `${v.job.source.kind}:${v.job.source.id}` === filter.source ||
                v.job.source.kind === filter.source,
            )
            .filter((v) => !filter.createdAfter || v.createdAt >= filter.createdAfter)
            .filter((v) => !filter.createdBefore || v.createdAt < filter.createdBefore)
            .sort(
              (a, b) =>
                b.createdAt.localeCompare(a.createdAt) || a.job.jobId.localeCompare(b.job.jobId),
            )
            .map((v) => v.job.jobId);
          const seen: string[] = [];
          let after: { createdAt: string; jobId: string } | undefined;
          for (;;) {
            const page = model.page(filter, { first, ...(after ? { after } : {}) });
            expect(page.totalCount).toBe(expected.length);
            seen.push(...ids(page));
            const last = page.jobs.at(-1);
            if (!page.hasNextPage || !last) break;
            after = { createdAt: last.createdAt, jobId: last.job.jobId };
          }
          expect(seen).toEqual(expected);
          const counts = model.countByState();
          expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(jobs.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('says, by state, how long the unfinished job that waited longest has gone without an event, packed or not', () => {
    // j0 (00:00) and j1 (00:01) wait in PENDING; a job failed with rollback off has come to rest,
    // one failed with rollback on (rolling back) has not.
    const model = modelOf(2);
    const failed = (jobId: string, rollback: boolean, at: string) =>
      history(jobId, '2026-11-26T00:02:00.000Z', [failure(jobId, at)], {
        realConversion: true,
        openstackDeployment: true,
        rollback,
      });
    for (const c of failed('resting', false, '2026-11-26T00:03:00.000Z')) model.apply(c);
    for (const c of failed('rolling', true, '2026-11-26T00:04:00.000Z')) model.apply(c);
    const now = Date.parse('2026-11-26T01:00:00.000Z');
    expect(Object.fromEntries(model.stalledSeconds(now))).toEqual({ PENDING: 3600, FAILED: 3360 });
    // Packed as idle, a stuck job is still seen.
    expect(model.packIdle('2026-11-26T00:30:00.000Z', 100)).toBeGreaterThan(0);
    expect(Object.fromEntries(model.stalledSeconds(now))).toEqual({ PENDING: 3600, FAILED: 3360 });
  });

  it('gives back a finished job (kept serialized) as it was folded, in its pages', () => {
    const model = modelOf(2);
    const flags = { realConversion: true, openstackDeployment: true, rollback: false };
    const commits = history(
      'done',
      '2026-11-26T02:00:00.000Z',
      [failure('done', '2026-11-26T02:00:01.000Z')],
      flags,
    );
    const folded: NonNullable<ReturnType<typeof model.get>>[] = [];
    model.on('job', (view) => folded.unshift(view));
    for (const c of commits) model.apply(c);
    expect(folded[0]?.state).toBe('FAILED');
    expect(model.get('done')).toEqual(folded[0]);
    expect(model.get('done')).not.toBe(folded[0]);
    expect(model.page({ states: ['FAILED'] }, {}).jobs).toEqual([folded[0]]);
    expect(ids(model.page({ vmName: 'DON' }, {}))).toEqual(['done']);
    expect(ids(model.page({}, { first: 1 }))).toEqual(['done']);
  });

  it('taken back from a save (through its file format) and folding on, answers as if it never stopped, idle jobs packed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-jobs-save-'));
    const at = (minute: number, second = 0) =>
      new Date(Date.UTC(2026, 10, 26, 0, minute, second)).toISOString();
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.record({ minute: fc.integer({ min: 0, max: 9 }), fails: fc.boolean() }), {
            minLength: 1,
            maxLength: 12,
          }),
          fc.nat(),
          async (jobs, cut) => {
            const commits = jobs.flatMap((j, i) =>
              history(`j${i}`, at(j.minute), j.fails ? [failure(`j${i}`, at(j.minute, 30))] : []),
            );
            const whole = new JobsReadModel();
            for (const c of commits) whole.apply(c);
            const stopped = new JobsReadModel();
            const split = cut % (commits.length + 1);
            for (const c of commits.slice(0, split)) stopped.apply(c);
            // Every job idle: the unfinished ones packed too, and unpacked by their next commit.
            stopped.packIdle('9999', Number.POSITIVE_INFINITY);
            const file = join(dir, 'save');
            await writeSnapshot(file, {
              header: { version: 'v', store: 's', position: split },
              inventory: new InventoryReadModel().saved(),
              quarantine: new Quarantine().saved(),
              jobs: stopped.saved(),
            });
            const restarted = new JobsReadModel();
            restarted.restore((await readSnapshot(file)).jobs);
            for (const c of commits.slice(split)) restarted.apply(c);
            for (const states of [[], ['PENDING'], ['FAILED', 'PENDING']] as const) {
              const page = { first: 5 };
              expect(restarted.page({ states }, page)).toEqual(whole.page({ states }, page));
            }
            expect(restarted.countByState()).toEqual(whole.countByState());
            for (let i = 0; i < jobs.length; i++)
              expect(restarted.get(`j${i}`)).toEqual(whole.get(`j${i}`));
          },
        ),
        { numRuns: 50 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ignores a commit seen before, and one that comes out of turn', () => {
    const model = new JobsReadModel();
    const [created, failed] = history('j1', '2026-11-26T00:00:00.000Z', [
      failure('j1', '2026-11-26T00:00:01.000Z'),
    ]);
    model.apply(failed as Commit<MigrationEvent>);
    expect(model.get('j1')).toBeUndefined();
    model.apply(created as Commit<MigrationEvent>);
    model.apply(created as Commit<MigrationEvent>);
    expect(model.get('j1')?.events).toBe(1);
    model.apply(failed as Commit<MigrationEvent>);
    expect(model.get('j1')?.state).toBe('FAILED');
    expect(model.size).toBe(1);
  });
});
