import { EventEmitter } from 'node:events';
import type { MigrationEvent, MigrationState } from '@ferry/contracts';
import { evolveJobView, type JobView } from '@ferry/domain';
import type { Commit } from '@ferry/event-store';

export interface JobFilter {
  readonly states?: readonly MigrationState[] | null;
  readonly vmKey?: string | null;
  /** A case-insensitive part of the VM's name. */
  readonly vmName?: string | null;
  readonly createdAfter?: string | null;
  readonly createdBefore?: string | null;
}

/** Where a page starts or ends: a job's place in the order. */
export interface JobCursor {
  readonly createdAt: string;
  readonly jobId: string;
}

export interface PageRequest {
  readonly first?: number | null | undefined;
  readonly after?: JobCursor | null | undefined;
  readonly last?: number | null | undefined;
  readonly before?: JobCursor | null | undefined;
}

export interface JobPage {
  readonly jobs: readonly JobView[];
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
  readonly totalCount: number;
}

/** Newest first: later creation time first, then job id. */
const compare = (a: JobCursor, b: JobCursor) =>
  b.createdAt.localeCompare(a.createdAt) || a.jobId.localeCompare(b.jobId);

const cursorOf = (v: JobView): JobCursor => ({ createdAt: v.createdAt, jobId: v.job.jobId });

/**
 * Every job's view, folded from its events, kept in the order operators page through (newest
 * first). Emits `job` with the view after each commit that changed one.
 */
export class JobsReadModel extends EventEmitter<{ job: [JobView] }> {
  private readonly views = new Map<string, { revision: number; view: JobView }>();
  /**
   * Job ids, oldest first, so that a new job (the newest, mostly) is a push; pages read it from the
   * end. A job's creation time never changes, so its place is found once.
   */
  private readonly order: string[] = [];

  get size(): number {
    return this.order.length;
  }

  countByState(): Map<MigrationState, number> {
    const counts = new Map<MigrationState, number>();
    for (const { view } of this.views.values())
      counts.set(view.state, (counts.get(view.state) ?? 0) + 1);
    return counts;
  }

  get(jobId: string): JobView | undefined {
    return this.views.get(jobId)?.view;
  }

  /** Folds a commit of a `migration-<job>` stream; one seen before (or out of turn) changes nothing. */
  apply(commit: Commit<MigrationEvent>): void {
    const first = commit.events[0];
    if (!first) return;
    const jobId = first.data.jobId;
    const current = this.views.get(jobId);
    if (first.revision !== (current?.revision ?? -1) + 1) return;
    const view = commit.events.reduce<JobView | null>(evolveJobView, current?.view ?? null);
    if (view === null) return;
    this.views.set(jobId, { revision: first.revision + commit.events.length - 1, view });
    if (!current) this.order.splice(this.order.length - this.indexOf(cursorOf(view)), 0, jobId);
    this.emit('job', view);
  }

  /** A page of the jobs the filter keeps, forwards from `after` or backwards from `before`. */
  page(filter: JobFilter, request: PageRequest): JobPage {
    const keep = matcher(filter);
    const totalCount = keep === undefined ? this.order.length : this.count(keep);
    const accepts = keep ?? (() => true);
    if (request.last != null && request.first == null) {
      const end = request.before ? this.indexOf(request.before) : this.order.length;
      const found: JobView[] = [];
      let i = end - 1;
      for (; i >= 0 && found.length < request.last; i--) {
        const view = this.viewAt(i);
        if (accepts(view)) found.unshift(view);
      }
      return {
        jobs: found,
        hasPreviousPage: this.anyMatch(accepts, i, -1),
        hasNextPage: end < this.order.length && this.anyMatch(accepts, end, 1),
        totalCount,
      };
    }
    const first = request.first ?? 100;
    const start = request.after ? this.indexAfter(request.after) : 0;
    const found: JobView[] = [];
    let i = start;
    for (; i < this.order.length && found.length < first; i++) {
      const view = this.viewAt(i);
      if (accepts(view)) found.push(view);
    }
    return {
      jobs: found,
      hasNextPage: this.anyMatch(accepts, i, 1),
      hasPreviousPage: start > 0 && this.anyMatch(accepts, start - 1, -1),
      totalCount,
    };
  }

  /** The job at place `i` of the newest-first order. */
  private viewAt(i: number): JobView {
    const jobId = this.order[this.order.length - 1 - i] as string;
    return (this.views.get(jobId) as { view: JobView }).view;
  }

  private count(keep: (v: JobView) => boolean): number {
    let n = 0;
    for (const { view } of this.views.values()) if (keep(view)) n++;
    return n;
  }

  private anyMatch(keep: (v: JobView) => boolean, from: number, step: 1 | -1): boolean {
    for (let i = from; i >= 0 && i < this.order.length; i += step)
      if (keep(this.viewAt(i))) return true;
    return false;
  }

  /** The first place (newest first) whose job comes at or after `cursor`. */
  private indexOf(cursor: JobCursor): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(cursorOf(this.viewAt(mid)), cursor) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The first place whose job comes after `cursor`. */
  private indexAfter(cursor: JobCursor): number {
    const i = this.indexOf(cursor);
    return i < this.order.length && this.viewAt(i).job.jobId === cursor.jobId ? i + 1 : i;
  }
}

/** The filter as a test of one job, or undefined when it keeps every job. */
function matcher(filter: JobFilter): ((v: JobView) => boolean) | undefined {
  const tests: ((v: JobView) => boolean)[] = [];
  const { states, vmKey, vmName, createdAfter, createdBefore } = filter;
  if (states?.length) tests.push((v) => states.includes(v.state));
  if (vmKey) tests.push((v) => v.job.vmKey === vmKey);
  if (vmName) {
    const part = vmName.toLowerCase();
    tests.push((v) => v.job.vmName.toLowerCase().includes(part));
  }
  if (createdAfter) tests.push((v) => v.createdAt >= createdAfter);
  if (createdBefore) tests.push((v) => v.createdAt < createdBefore);
  if (tests.length === 0) return undefined;
  return (v) => tests.every((t) => t(v));
}
