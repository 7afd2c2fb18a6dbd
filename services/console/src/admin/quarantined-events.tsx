import type { AdminQuery } from '../api/generated/graphql.ts';
import { formatTime } from '../format/time.ts';
import { ColumnHeads } from '../ui/column-heads.tsx';

const COLUMNS = [
  { label: 'Position', numeric: true },
  { label: 'Subject' },
  { label: 'Stream' },
  { label: 'Why' },
  { label: 'Seen' },
];

/** The commits of the event store the gateway could not read, and why: skipped by every view. */
export function QuarantinedEvents({
  quarantine: { totalCount, commits },
}: {
  quarantine: AdminQuery['quarantine'];
}) {
  return (
    <section aria-labelledby="quarantine-title" data-testid="quarantine">
      <h2 id="quarantine-title">Quarantined events</h2>
      <p>
        Commits of the event store the gateway could not read:{' '}
        <strong data-testid="quarantine-count">{totalCount}</strong>. Every view skips them, and
        their job&apos;s commands are refused.
      </p>
      {commits.length === 0 ? (
        <p className="muted">Nothing quarantined.</p>
      ) : (
        <div className="table-scroll">
          <table className="data">
            <caption className="visually-hidden">Quarantined commits, oldest first</caption>
            <thead>
              <tr>
                <ColumnHeads columns={COLUMNS} />
              </tr>
            </thead>
            <tbody>
              {commits.map((c) => (
                <tr key={c.position} data-testid="quarantined-commit" data-position={c.position}>
                  <th scope="row" className="num">
                    {c.position}
                  </th>
                  <td>{c.subject}</td>
                  <td>{c.stream ?? '—'}</td>
                  <td>{c.reason}</td>
                  <td>{formatTime(c.seenAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
