import type { MigrationSummary } from '../api/types.ts';
import { formatTime } from '../format/time.ts';
import { jobHref } from '../router/route.ts';
import { DiskProgressList } from '../ui/disk-progress.tsx';
import { CurrentStage } from '../ui/current-stage.tsx';
import { StateBadge } from '../ui/state-badge.tsx';

/**
 * The columns after the selection's, with fixed widths (the VM's takes what is left): a live list
 * whose columns never resize keeps each row one height as its job moves on, so nothing shifts
 * under the operator's pointer.
 */
const COLUMNS: readonly { label: string; width?: string; numeric?: boolean }[] = [
  { label: 'VM' },
  { label: 'State', width: '8.5rem' },
  { label: 'Phase', width: '15rem' },
  { label: 'Attempt', width: '4.75rem', numeric: true },
  { label: 'Disks', width: '12.5rem' },
  { label: 'Stages', width: '11.5rem' },
  { label: 'Created', width: '10.5rem' },
  { label: 'Job', width: '10rem' },
];

export function JobsTable({
  jobs,
  now,
  selection,
}: {
  jobs: readonly MigrationSummary[];
  now: number;
  /** For someone who may act: the jobs picked for a bulk action. */
  selection?: {
    readonly selected: ReadonlySet<string>;
    readonly toggle: (ids: readonly string[], on: boolean) => void;
  };
}) {
  const allPicked = jobs.length > 0 && jobs.every((j) => selection?.selected.has(j.id));
  return (
    <div className="table-scroll">
      <table className="data jobs" data-testid="jobs-table">
        <caption className="visually-hidden">Migration jobs, newest first</caption>
        <colgroup>
          {selection ? <col style={{ width: '2.75rem' }} /> : null}
          {COLUMNS.map(({ label, width }) => (
            <col key={label} style={width ? { width } : undefined} />
          ))}
        </colgroup>
        <thead>
          <tr>
            {selection ? (
              <th scope="col">
                <input
                  type="checkbox"
                  aria-label="Select every job shown"
                  checked={allPicked}
                  onChange={(e) =>
                    selection.toggle(
                      jobs.map((j) => j.id),
                      e.target.checked,
                    )
                  }
                />
              </th>
            ) : null}
            {COLUMNS.map(({ label, numeric }) => (
              <th key={label} scope="col" className={numeric ? 'num' : undefined}>
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => (
            <tr
              key={job.id}
              data-testid="job-row"
              data-job-id={job.id}
              data-state={job.state}
              data-vm-name={job.vmName}
              data-finished={job.finished}
            >
              {selection ? (
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Select job ${job.id} of ${job.vmName}`}
                    checked={selection.selected.has(job.id)}
                    onChange={(e) => selection.toggle([job.id], e.target.checked)}
                  />
                </td>
              ) : null}
              <th scope="row" title={job.vmName}>
                <a href={jobHref(job.id)}>{job.vmName}</a>
                <span className="key muted" title={job.source.key}>
                  {job.source.key}
                </span>
              </th>
              <td>
                <StateBadge state={job.state} dryRun={job.dryRun} />
              </td>
              <td
                className="phase"
                title={
                  job.error ? `${job.phase} ${job.error.stage}: ${job.error.message}` : job.phase
                }
              >
                {job.phase}
                {job.error ? (
                  <span className="error-text">
                    {' '}
                    {job.error.stage}: {job.error.code}
                  </span>
                ) : null}
              </td>
              <td className="num">{job.attempt}</td>
              <td>
                <DiskProgressList disks={job.disks} />
              </td>
              <td>
                <CurrentStage stages={job.stages} now={now} />
              </td>
              <td className="num nowrap created">{formatTime(job.createdAt)}</td>
              <td title={job.id}>
                <a
                  href={jobHref(job.id)}
                  className="job-id"
                  aria-label={`Job ${job.id} of ${job.vmName}`}
                >
                  <code>{job.id}</code>
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
