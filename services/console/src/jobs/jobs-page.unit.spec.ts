import { describe, expect, it } from 'vitest';

import type { MigrationSummary } from '../api/types.ts';
import { mergeJobUpdate, newestFirst, type JobsPage } from './jobs-page.ts';

const job = (
  id: string,
  createdAt: string,
  extra: Partial<MigrationSummary> = {},
): MigrationSummary => ({
  id,
  state: 'PENDING',
  phase: 'PENDING',
  finished: false,
  canCancel: true,
  canRetry: false,
  canRerunRollback: false,
  vmKey: `vm-${id}`,
  vmName: `vm-${id}`,
  source: { key: 'workstation:/vms' },
  attempt: 1,
  dryRun: false,
  createdAt,
  updatedAt: createdAt,
  eventCount: 1,
  stages: [],
  disks: [],
  error: null,
  ...extra,
});

const pageInfo = { hasNextPage: false, hasPreviousPage: false, startCursor: 'a', endCursor: 'b' };
const page = (...jobs: MigrationSummary[]): JobsPage => ({
  jobs,
  pageInfo,
  totalCount: jobs.length,
});

const j3 = job('j3', '2026-01-03T00:00:00Z');
const j2 = job('j2', '2026-01-02T00:00:00Z');
const j1 = job('j1', '2026-01-01T00:00:00Z');
const all = { filter: {}, firstPage: true, pageSize: 100 };

describe('mergeJobUpdate', () => {
  it('replaces a job shown with its update, in place', () => {
    const update = { ...j2, state: 'CONVERTING', eventCount: 4 } as const;
    const merged = mergeJobUpdate(page(j3, j2, j1), update, all);
    expect(merged.stale).toBe(false);
    expect(merged.page.jobs.map((j) => j.id)).toEqual(['j3', 'j2', 'j1']);
    expect(merged.page.jobs[1]).toBe(update);
  });

  it('ignores an update older than what is shown', () => {
    const shown = page(j3, { ...j2, eventCount: 5 }, j1);
    expect(mergeJobUpdate(shown, { ...j2, eventCount: 4 }, all).page).toBe(shown);
  });

  it('puts a new job at its place on the first page and counts it', () => {
    const j4 = job('j4', '2026-01-04T00:00:00Z');
    const merged = mergeJobUpdate(page(j3, j2, j1), j4, all);
    expect(merged.page.jobs.map((j) => j.id)).toEqual(['j4', 'j3', 'j2', 'j1']);
    expect(merged.page.totalCount).toBe(4);
  });

  it('keeps a full page full, pushing the oldest to the next page', () => {
    const j4 = job('j4', '2026-01-04T00:00:00Z');
    const merged = mergeJobUpdate(page(j3, j2), j4, { ...all, pageSize: 2 });
    expect(merged.page.jobs.map((j) => j.id)).toEqual(['j4', 'j3']);
    expect(merged.page.pageInfo.hasNextPage).toBe(true);
  });

  it('does not put a newer job on a later page, but asks for a refetch', () => {
    const j4 = job('j4', '2026-01-04T00:00:00Z');
    const shown = page(j2, j1);
    const merged = mergeJobUpdate(shown, j4, { ...all, firstPage: false });
    expect(merged.page).toBe(shown);
    expect(merged.stale).toBe(true);
  });

  it('drops a job that leaves the filter', () => {
    const failed = { filter: { states: ['FAILED' as const] }, firstPage: true, pageSize: 100 };
    const shown = page({ ...j2, state: 'FAILED' });
    const merged = mergeJobUpdate(shown, { ...j2, state: 'ROLLED_BACK', eventCount: 9 }, failed);
    expect(merged.page.jobs).toEqual([]);
    expect(merged.page.totalCount).toBe(0);
    expect(merged.stale).toBe(true);
  });

  it('ignores a job the filter excludes', () => {
    const failed = { filter: { states: ['FAILED' as const] }, firstPage: true, pageSize: 100 };
    const shown = page();
    expect(mergeJobUpdate(shown, j1, failed)).toEqual({ page: shown, stale: false });
  });
});

describe('newestFirst', () => {
  it('orders by creation time, then id, newest first', () => {
    const twin = job('j9', j2.createdAt);
    expect([j1, j2, twin, j3].sort(newestFirst).map((j) => j.id)).toEqual(['j3', 'j9', 'j2', 'j1']);
  });
});
