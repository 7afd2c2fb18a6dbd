import { useLayoutEffect, useMemo, useRef, useState } from 'react';

import { MIGRATIONS_QUERY, MIGRATIONS_UPDATED, SOURCES_QUERY } from '../api/operations.ts';
import type { MigrationPage } from '../api/types.ts';
import { useCoalesced } from '../hooks/use-coalesced.ts';
import { useDebounced } from '../hooks/use-debounced.ts';
import { useNow } from '../hooks/use-now.ts';
import { useQuery } from '../hooks/use-query.ts';
import { useSubscription } from '../hooks/use-subscription.ts';
import { ErrorBox } from '../ui/error-box.tsx';
import { LiveStatusDot } from '../ui/live-status.tsx';
import { EMPTY_JOBS_FILTER, migrationFilter, type JobsFilterForm } from './jobs-filter.ts';
import { JobsFilters } from './jobs-filters.tsx';
import { mergeJobUpdate, pageFromConnection, type JobsPage as Page } from './jobs-page.ts';
import { PAGE_SIZE, pagingVariables, type PageCursor } from './jobs-paging.ts';
import { JobsTable } from './jobs-table.tsx';
import { BulkActions } from './bulk-actions.tsx';
import { mayAct } from '../api/session.ts';
import { useSession } from '../session/session-context.ts';
import { toggled } from '../ui/toggled.ts';

export function JobsPage() {
  const mayChange = mayAct(useSession());
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [form, setForm] = useState<JobsFilterForm>(EMPTY_JOBS_FILTER);
  const vmName = useDebounced(form.vmName, 250);
  const filter = useMemo(() => migrationFilter({ ...form, vmName }), [form, vmName]);
  const [cursor, setCursor] = useState<PageCursor>({ kind: 'first' });
  const variables = useMemo(() => ({ ...pagingVariables(cursor), filter }), [cursor, filter]);
  const { data, error, loading, refetch } = useQuery(MIGRATIONS_QUERY, variables);
  const sources = useQuery(SOURCES_QUERY).data;

  // The page the query answered, with the live updates merged into it since (till the next answer).
  const answer = data?.migrations;
  const answered = useMemo(() => (answer ? pageFromConnection(answer) : undefined), [answer]);
  const [merged, setMerged] = useState<
    { readonly from: MigrationPage; readonly page: Page } | undefined
  >(undefined);
  const page = answer && merged?.from === answer ? merged.page : answered;
  // What the live handler merges into: the page shown, moved on at once by each update it merges
  // (several may come before the next render).
  const latest = useRef({ answer, page });
  useLayoutEffect(() => {
    latest.current = { answer, page };
  }, [answer, page]);

  const refetchSoon = useCoalesced(refetch, 1_000);
  const firstPage = cursor.kind === 'first';
  const live = useSubscription(MIGRATIONS_UPDATED, {}, ({ migrationUpdated }) => {
    const { answer: from, page: current } = latest.current;
    if (!from || !current) return;
    const next = mergeJobUpdate(current, migrationUpdated, {
      filter,
      firstPage,
      pageSize: PAGE_SIZE,
    });
    if (next.page !== current) {
      latest.current = { answer: from, page: next.page };
      setMerged({ from, page: next.page });
    }
    if (next.stale) refetchSoon();
  });

  const jobs = page?.jobs ?? [];
  const now = useNow(jobs.some((job) => !job.finished));

  const changeFilter = (next: JobsFilterForm) => {
    setForm(next);
    setCursor({ kind: 'first' });
  };

  return (
    <section aria-labelledby="jobs-title">
      <div className="page-head">
        <h1 id="jobs-title">Jobs</h1>
        <LiveStatusDot status={live.status} error={live.error} />
      </div>
      <JobsFilters form={form} sources={sources?.sources ?? []} onChange={changeFilter} />
      <ErrorBox error={error} title="The jobs could not be read" />
      {page === undefined && loading ? <p className="muted">Loading the jobs…</p> : null}
      {page ? (
        <>
          <p className="num muted" data-testid="jobs-count" aria-live="polite">
            {page.totalCount} job{page.totalCount === 1 ? '' : 's'} match; {jobs.length} shown.
          </p>
          {mayChange ? (
            <BulkActions
              selected={jobs.filter((j) => selected.has(j.id))}
              onDone={() => setSelected(new Set())}
            />
          ) : null}
          <JobsTable
            jobs={jobs}
            now={now}
            {...(mayChange && {
              selection: {
                selected,
                toggle: (ids, on) => setSelected((before) => toggled(before, ids, on)),
              },
            })}
          />
          {jobs.length === 0 ? (
            <p className="muted" data-testid="jobs-empty">
              No job matches.
            </p>
          ) : null}
          <nav className="pager" aria-label="Pages of jobs">
            <button
              type="button"
              className="secondary"
              disabled={!page.pageInfo.hasPreviousPage || !page.pageInfo.startCursor}
              onClick={() =>
                page.pageInfo.startCursor &&
                setCursor({ kind: 'before', cursor: page.pageInfo.startCursor })
              }
            >
              Previous page
            </button>
            <button
              type="button"
              className="secondary"
              disabled={firstPage}
              onClick={() => setCursor({ kind: 'first' })}
            >
              Newest
            </button>
            <button
              type="button"
              className="secondary"
              disabled={!page.pageInfo.hasNextPage || !page.pageInfo.endCursor}
              onClick={() =>
                page.pageInfo.endCursor &&
                setCursor({ kind: 'after', cursor: page.pageInfo.endCursor })
              }
            >
              Next page
            </button>
          </nav>
        </>
      ) : null}
    </section>
  );
}
