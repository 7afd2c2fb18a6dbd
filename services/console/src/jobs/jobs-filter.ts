import type { MigrationState, MigrationSummary } from '../api/types.ts';

/** The dashboard's filter as the form holds it; times are `datetime-local` values (local time). */
export interface JobsFilterForm {
  readonly states: readonly MigrationState[];
  readonly vmName: string;
  /** A source's `kind:id`, or a kind; '' for every source. */
  readonly source: string;
  readonly createdAfter: string;
  readonly createdBefore: string;
}

export const EMPTY_JOBS_FILTER: JobsFilterForm = {
  states: [],
  vmName: '',
  source: '',
  createdAfter: '',
  createdBefore: '',
};

/** The `MigrationFilter` input: only what narrows the list, times as ISO-8601 UTC. */
export interface MigrationFilter {
  states?: MigrationState[];
  vmName?: string;
  source?: string;
  createdAfter?: string;
  createdBefore?: string;
}

export function migrationFilter(form: JobsFilterForm): MigrationFilter {
  const filter: MigrationFilter = {};
  if (form.states.length > 0) filter.states = [...form.states];
  const vmName = form.vmName.trim();
  if (vmName) filter.vmName = vmName;
  if (form.source) filter.source = form.source;
  const after = localToIso(form.createdAfter);
  if (after) filter.createdAfter = after;
  const before = localToIso(form.createdBefore);
  if (before) filter.createdBefore = before;
  return filter;
}

/** A `datetime-local` value as ISO-8601 UTC; undefined when empty or unreadable. */
export function localToIso(value: string): string | undefined {
  if (!value.trim()) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** Whether a job belongs in a list filtered so (what the gateway checks, checked again live). */
export function matchesFilter(
  job: Pick<MigrationSummary, 'state' | 'vmName' | 'createdAt' | 'source'>,
  filter: MigrationFilter,
): boolean {
  if (filter.states && !filter.states.includes(job.state)) return false;
  if (filter.vmName && !job.vmName.toLowerCase().includes(filter.vmName.toLowerCase())) {
    return false;
  }
  // As the gateway reads it: a whole `kind:id`, or a kind alone.
  if (filter.source) {
    const { key } = job.source;
    if (key !== filter.source && key.slice(0, key.indexOf(':')) !== filter.source) return false;
  }
  const created = Date.parse(job.createdAt);
  if (filter.createdAfter && created < Date.parse(filter.createdAfter)) return false;
  if (filter.createdBefore && created > Date.parse(filter.createdBefore)) return false;
  return true;
}
