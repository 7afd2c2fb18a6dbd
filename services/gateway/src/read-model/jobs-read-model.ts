import { EventEmitter } from 'node:events';
import type { MigrationEvent, MigrationState } from '@ferry/contracts';
import {
  evolveJobView,
  FINISHED_STATES,
  isJobFinished,
  sourceKey,
  type JobView,
} from '@ferry/domain';
import type { Commit } from '@ferry/event-store';
import { ViewPacker } from './view-packer.ts';

export interface JobFilter {
  readonly states?: readonly MigrationState[] | null;
  readonly vmKey?: string | null;
  /** `kind:id` of a source, or just its kind. */
  readonly source?: string | null;
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

/** Packed views read lately, kept unpacked: a dashboard asks for the same page again and again. */
const RECENT_VIEWS = 1_000;
/** An unfinished job's view is kept whole while it changes, and packed after this long without change. */
export const IDLE_MS = 60_000;

/** Newest first: later creation time first, then job id. */
const compare = (a: JobCursor, b: JobCursor) =>
  b.createdAt.localeCompare(a.createdAt) || a.jobId.localeCompare(b.jobId);

const cursorOf = (v: JobView | Entry): JobCursor =>
  'job' in v ? { createdAt: v.createdAt, jobId: v.job.jobId } : v;

/**
 * What the model keeps of a job: what pages are ordered and filtered by, and its view, whole while
 * the job changes; a finished job's view, or one idle for a while, is kept packed (see ViewPacker)
 * and read back for the page or the job asked for, so memory grows slowly with the jobs.
 */
export interface JobEntry {
  readonly jobId: string;
  readonly createdAt: string;
  readonly vmKey: string;
  readonly vmName: string;
  /** `kind:id` of the VM's source. */
  readonly source: string;
  readonly state: MigrationState;
  /** When its last event happened (ms), and whether it has come to rest: what stalledSeconds reads. */
  readonly updatedMs: number;
  readonly finished: boolean;
  readonly revision: number;
  readonly view?: JobView;
  readonly packed?: Buffer;
}

type Entry = JobEntry;

/** What a save keeps of the jobs: the packing's dictionary, and every job's entry, oldest first. */
export interface SavedJobs {
  readonly dictionary: Buffer | null;
  readonly entries: readonly JobEntry[];
}

/**
 * Every job's view, folded from its events, kept in the order operators page through (newest
 * first), and indexed by state in the same order: a page of one state (or a few) and its count are
 * served without a scan of every job. Emits `job` with the view after each commit that changed one.
 */
export class JobsReadModel extends EventEmitter<{ job: [JobView] }> {
  private readonly entries = new Map<string, Entry>();
  /**
   * Job ids, oldest first, so that a new job (the newest, mostly) is a push; pages read it from the
   * end. A job's creation time never changes, so its place is found once.
   */
  private readonly order: string[] = [];
  /** The ids of the jobs in each state, in the same order. */
  private readonly byState = new Map<MigrationState, string[]>();
  /** The ids of each VM's jobs, in the same order. */
  private readonly byVm = new Map<string, string[]>();
  /** The ids of each source's jobs (by `kind:id`, and by kind), in the same order. */
  private readonly bySource = new Map<string, string[]>();
  private packer = new ViewPacker();
  /** The jobs whose views are kept whole (see packIdle). */
  private readonly whole = new Set<string>();
  /**
   * Whether a view is packed as its job finishes; off while a start folds the whole store, so that
   * the fold goes at the speed of the reads and the views are packed after it, between requests.
   */
  packing = true;
  /** By entry (replaced when its job changes), least recently read first. */
  private readonly recent = new Map<Entry, JobView>();

  get size(): number {
    return this.order.length;
  }

  countByState(): Map<MigrationState, number> {
    const counts = new Map<MigrationState, number>();
    for (const [state, ids] of this.byState) if (ids.length > 0) counts.set(state, ids.length);
    return counts;
  }

  /**
   * The longest any unfinished job in each state has gone without an event, in seconds (absent: no
   * such job): what an alert on a stuck job reads. Reads the entries only, never a packed view.
   */
  stalledSeconds(now: number): Map<MigrationState, number> {
    const stalled = new Map<MigrationState, number>();
    for (const [state, ids] of this.byState) {
      // Most jobs end up in these: nothing in them waits.
      if (FINISHED_STATES.has(state)) continue;
      let oldest = Number.POSITIVE_INFINITY;
      for (const id of ids) {
        const entry = this.entries.get(id) as Entry;
        if (!entry.finished) oldest = Math.min(oldest, entry.updatedMs);
      }
      if (oldest !== Number.POSITIVE_INFINITY)
        stalled.set(state, Math.max(0, Math.floor((now - oldest) / 1000)));
    }
    return stalled;
  }

  get(jobId: string): JobView | undefined {
    const entry = this.entries.get(jobId);
    return entry && this.viewOf(entry);
  }

  /**
   * Every job's entry, oldest first, as it is now: entries are replaced, never changed, so what
   * this returns stays as it was while later commits are folded (a save reads it at leisure).
   */
  saved(): SavedJobs {
    return {
      dictionary: this.packer.dictionary,
      entries: this.order.map((id) => this.entries.get(id) as Entry),
    };
  }

  /** Takes back what `saved()` returned (in its order), into a model that has folded nothing. */
  restore(saved: SavedJobs): void {
    if (this.order.length > 0) throw new Error('only an empty model takes a save back');
    this.packer = new ViewPacker(saved.dictionary);
    for (const entry of saved.entries) {
      this.entries.set(entry.jobId, entry);
      if (entry.view) this.whole.add(entry.jobId);
      this.order.push(entry.jobId);
      listIn(this.byState, entry.state).push(entry.jobId);
      listIn(this.byVm, entry.vmKey).push(entry.jobId);
      for (const key of sourceKeys(entry.source)) listIn(this.bySource, key).push(entry.jobId);
    }
  }

  /** Folds a commit of a `migration-<job>` stream; one seen before (or out of turn) changes nothing. */
  apply(commit: Commit<MigrationEvent>): void {
    const first = commit.events[0];
    if (!first) return;
    const jobId = first.data.jobId;
    const current = this.entries.get(jobId);
    if (first.revision !== (current?.revision ?? -1) + 1) return;
    const view = commit.events.reduce<JobView | null>(
      evolveJobView,
      current ? this.viewOf(current) : null,
    );
    if (view === null) return;
    const packed = this.packing && isJobFinished(view);
    this.entries.set(jobId, this.entryOf(view, first.revision + commit.events.length - 1, packed));
    if (packed) this.whole.delete(jobId);
    else this.whole.add(jobId);
    const cursor = cursorOf(view);
    if (!current) {
      this.insert(this.order, jobId, cursor);
      this.insert(listIn(this.byVm, view.job.vmKey), jobId, cursor);
      for (const key of sourceKeys(sourceKey(view.job.source)))
        this.insert(listIn(this.bySource, key), jobId, cursor);
    }
    if (current?.state !== view.state) {
      if (current) this.remove(listIn(this.byState, current.state), jobId, cursor);
      this.insert(listIn(this.byState, view.state), jobId, cursor);
    }
    this.emit('job', view);
  }

  /** A page of the jobs the filter keeps, forwards from `after` or backwards from `before`. */
  page(filter: JobFilter, request: PageRequest): JobPage {
    const ids = this.within(this.candidates(filter), filter);
    const keep = matcher(filter);
    const totalCount = keep === undefined ? ids.length : this.count(ids, keep);
    const accepts = keep ?? (() => true);
    if (request.last != null && request.first == null) {
      const end = request.before ? this.indexOf(ids, request.before) : ids.length;
      const found: Entry[] = [];
      let i = end - 1;
      for (; i >= 0 && found.length < request.last; i--) {
        const entry = this.entryAt(ids, i);
        if (accepts(entry)) found.unshift(entry);
      }
      return {
        jobs: found.map((e) => this.viewOf(e)),
        hasPreviousPage: this.anyMatch(ids, accepts, i, -1),
        hasNextPage: end < ids.length && this.anyMatch(ids, accepts, end, 1),
        totalCount,
      };
    }
    const first = request.first ?? 100;
    const start = request.after ? this.indexAfter(ids, request.after) : 0;
    const found: Entry[] = [];
    let i = start;
    for (; i < ids.length && found.length < first; i++) {
      const entry = this.entryAt(ids, i);
      if (accepts(entry)) found.push(entry);
    }
    return {
      jobs: found.map((e) => this.viewOf(e)),
      hasNextPage: this.anyMatch(ids, accepts, i, 1),
      hasPreviousPage: start > 0 && this.anyMatch(ids, accepts, start - 1, -1),
      totalCount,
    };
  }

  /**
   * Packs the views of finished jobs, and of unfinished ones whose last change is older than
   * `before` (a stuck job, one waiting for an operator), at most `limit` of them, and says how many
   * it packed; a job's next change unpacks it. A caller packs a large model a slice at a time.
   */
  packIdle(before: string, limit: number): number {
    let packed = 0;
    for (const jobId of this.whole) {
      if (packed >= limit) break;
      const entry = this.entries.get(jobId) as Entry;
      const view = entry.view as JobView;
      if (view.updatedAt >= before && !isJobFinished(view)) continue;
      this.whole.delete(jobId);
      this.entries.set(jobId, this.entryOf(view, entry.revision, true));
      packed++;
    }
    return packed;
  }

  private entryOf(view: JobView, revision: number, packed: boolean): Entry {
    const entry = {
      jobId: view.job.jobId,
      createdAt: view.createdAt,
      vmKey: view.job.vmKey,
      vmName: view.job.vmName,
      source: sourceKey(view.job.source),
      state: view.state,
      updatedMs: Date.parse(view.updatedAt),
      finished: isJobFinished(view),
      revision,
    };
    return packed ? { ...entry, packed: this.packer.pack(view) } : { ...entry, view };
  }

  private viewOf(e: Entry): JobView {
    if (e.view) return e.view;
    const view = this.recent.get(e) ?? this.packer.unpack(e.packed as Buffer);
    this.recent.delete(e);
    this.recent.set(e, view);
    if (this.recent.size > RECENT_VIEWS)
      this.recent.delete(this.recent.keys().next().value as Entry);
    return view;
  }

  /**
   * The jobs a page is looked for among: a VM's, else a source's, else those of the filter's
   * states (see ofStates); the other parts of the filter are tested job by job (see matcher).
   */
  private candidates(filter: JobFilter): readonly string[] {
    if (filter.vmKey) return this.byVm.get(filter.vmKey) ?? [];
    if (filter.source) return this.bySource.get(filter.source) ?? [];
    return this.ofStates(filter.states);
  }

  /**
   * The part of a list whose jobs were created in the filter's window: a list is in order of
   * creation, so the window's ends are found by halving, and a page or a count never looks outside.
   */
  private within(ids: readonly string[], filter: JobFilter): readonly string[] {
    const { createdAfter, createdBefore } = filter;
    if (!createdAfter && !createdBefore) return ids;
    // Newest first: the jobs created before `createdBefore` start at `from`, before `createdAfter` at `to`.
    const from = createdBefore ? this.firstWhere(ids, (e) => e.createdAt < createdBefore) : 0;
    const to = createdAfter ? this.firstWhere(ids, (e) => e.createdAt < createdAfter) : ids.length;
    return ids.slice(ids.length - Math.max(from, to), ids.length - from);
  }

  /** The first place (newest first) whose job passes `test`, which every later job passes too. */
  private firstWhere(ids: readonly string[], test: (e: Entry) => boolean): number {
    let lo = 0;
    let hi = ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (test(this.entryAt(ids, mid))) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** All jobs, one state's, or a few states' merged in order. */
  private ofStates(states: readonly MigrationState[] | null | undefined): readonly string[] {
    if (!states?.length) return this.order;
    const lists = [...new Set(states)].map((s) => this.byState.get(s) ?? []);
    if (lists.length === 1) return lists[0] as string[];
    const merged: string[] = [];
    const at = lists.map(() => 0);
    for (;;) {
      let oldest = -1;
      for (const [k, list] of lists.entries()) {
        const id = list[at[k] as number];
        if (id === undefined) continue;
        if (oldest < 0 || this.older(id, lists[oldest]?.[at[oldest] as number] as string))
          oldest = k;
      }
      if (oldest < 0) return merged;
      merged.push(lists[oldest]?.[at[oldest] as number] as string);
      at[oldest] = (at[oldest] as number) + 1;
    }
  }

  /** Whether job `a` comes before job `b` in the oldest-first order of the lists. */
  private older(a: string, b: string): boolean {
    return compare(this.cursorOfId(a), this.cursorOfId(b)) > 0;
  }

  private cursorOfId(jobId: string): JobCursor {
    return cursorOf(this.entries.get(jobId) as Entry);
  }

  /** Puts a job in an oldest-first list at its place. */
  private insert(ids: string[], jobId: string, cursor: JobCursor): void {
    ids.splice(ids.length - this.indexOf(ids, cursor), 0, jobId);
  }

  private remove(ids: string[], jobId: string, cursor: JobCursor): void {
    const at = ids.length - 1 - this.indexOf(ids, cursor);
    if (ids[at] === jobId) ids.splice(at, 1);
  }

  /** The job at place `i` of a list, newest first. */
  private entryAt(ids: readonly string[], i: number): Entry {
    return this.entries.get(ids[ids.length - 1 - i] as string) as Entry;
  }

  private count(ids: readonly string[], keep: (e: Entry) => boolean): number {
    let n = 0;
    for (let i = 0; i < ids.length; i++) if (keep(this.entryAt(ids, i))) n++;
    return n;
  }

  private anyMatch(
    ids: readonly string[],
    keep: (e: Entry) => boolean,
    from: number,
    step: 1 | -1,
  ): boolean {
    for (let i = from; i >= 0 && i < ids.length; i += step)
      if (keep(this.entryAt(ids, i))) return true;
    return false;
  }

  /** The first place (newest first) of a list whose job comes at or after `cursor`. */
  private indexOf(ids: readonly string[], cursor: JobCursor): number {
    let lo = 0;
    let hi = ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(cursorOf(this.entryAt(ids, mid)), cursor) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The first place whose job comes after `cursor`. */
  private indexAfter(ids: readonly string[], cursor: JobCursor): number {
    const i = this.indexOf(ids, cursor);
    return i < ids.length && this.entryAt(ids, i).jobId === cursor.jobId ? i + 1 : i;
  }
}

/** The filter as a test of one job, or undefined when it keeps every job. */
function matcher(filter: JobFilter): ((e: Entry) => boolean) | undefined {
  const tests: ((e: Entry) => boolean)[] = [];
  // What candidates and within looked among is not tested again: the VM, else the source, else
  // the states; and the creation time.
  const { vmKey, source, vmName, states } = filter;
  if ((vmKey || source) && states?.length) tests.push((e) => states.includes(e.state));
  if (vmKey && source) tests.push((e) => sourceKeys(e.source).includes(source));
  if (vmName) {
    const part = vmName.toLowerCase();
    tests.push((e) => e.vmName.toLowerCase().includes(part));
  }
  if (tests.length === 0) return undefined;
  return (e) => tests.every((t) => t(e));
}

/** The keys a job is indexed under for its source: `kind:id`, and its kind alone. */
const sourceKeys = (key: string): readonly string[] => [key, key.slice(0, key.indexOf(':'))];

/** An index's list under `key`, made empty the first time. */
function listIn<K>(index: Map<K, string[]>, key: K): string[] {
  let ids = index.get(key);
  if (!ids) index.set(key, (ids = []));
  return ids;
}
