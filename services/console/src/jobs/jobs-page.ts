import type { MigrationPage, MigrationSummary, PageInfo } from '../api/types.ts';
import { matchesFilter, type MigrationFilter } from './jobs-filter.ts';

/** One page of the dashboard, as shown. */
export interface JobsPage {
  readonly jobs: readonly MigrationSummary[];
  readonly pageInfo: PageInfo;
  readonly totalCount: number;
}

export function pageFromConnection(connection: MigrationPage): JobsPage {
  return {
    jobs: connection.edges.map((edge) => edge.node),
    pageInfo: connection.pageInfo,
    totalCount: connection.totalCount,
  };
}

/** Newest first: by creation time, then id, both descending (the gateway's order). */
export function newestFirst(
  a: Pick<MigrationSummary, 'createdAt' | 'id'>,
  b: Pick<MigrationSummary, 'createdAt' | 'id'>,
): number {
  const byTime = Date.parse(b.createdAt) - Date.parse(a.createdAt);
  if (byTime !== 0) return byTime;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export interface MergeContext {
  readonly filter: MigrationFilter;
  /** True on the first page: a new job goes to its top. */
  readonly firstPage: boolean;
  readonly pageSize: number;
}

/**
 * Folds a live update into the page shown. A job in the page takes the update (unless it is older
 * than what is shown) or leaves when it no longer matches; a matching job not in the page goes in
 * at its place when that place is on this page. `stale` says the counts or the page's edges may
 * now be off and a quiet refetch would set them right.
 */
export function mergeJobUpdate(
  page: JobsPage,
  job: MigrationSummary,
  context: MergeContext,
): { readonly page: JobsPage; readonly stale: boolean } {
  const at = page.jobs.findIndex((shown) => shown.id === job.id);
  const matches = matchesFilter(job, context.filter);
  const current = page.jobs[at];
  if (current) {
    if (job.eventCount < current.eventCount) return { page, stale: false };
    const jobs = [...page.jobs];
    if (matches) {
      jobs[at] = job;
      return { page: { ...page, jobs }, stale: false };
    }
    jobs.splice(at, 1);
    return { page: { ...page, jobs, totalCount: Math.max(0, page.totalCount - 1) }, stale: true };
  }
  if (!matches) return { page, stale: false };

  const first = page.jobs[0];
  const last = page.jobs[page.jobs.length - 1];
  const afterTop = context.firstPage || (first !== undefined && newestFirst(first, job) < 0);
  const full = page.jobs.length >= context.pageSize;
  const beforeEnd = !full || (last !== undefined && newestFirst(job, last) < 0);
  if (!afterTop || !beforeEnd) return { page, stale: true };

  const jobs = [...page.jobs, job].sort(newestFirst);
  const trimmed = jobs.length > context.pageSize ? jobs.slice(0, context.pageSize) : jobs;
  return {
    page: {
      jobs: trimmed,
      totalCount: page.totalCount + 1,
      pageInfo:
        trimmed.length < jobs.length ? { ...page.pageInfo, hasNextPage: true } : page.pageInfo,
    },
    stale: true,
  };
}
