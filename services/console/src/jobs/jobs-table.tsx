import type { MigrationSummary } from '../api/types.ts';
import { formatTime } from '../format/time.ts';
import { jobHref } from '../router/route.ts';
import { DiskProgressList } from '../ui/disk-progress.tsx';
import { CurrentStage } from '../ui/current-stage.tsx';
import { StateBadge } from '../ui/state-badge.tsx';

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
        <thead>
          <tr>
            {selection ? (
              <th scope="col" className="col-select">
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
            <th scope="col">VM</th>
            <th scope="col" className="col-state">
              State
            </th>
            <th scope="col" className="col-phase">
              Phase
            </th>
            <th scope="col" className="num col-attempt">
              Attempt
            </th>
            <th scope="col" className="col-disks">
              Disks
            </th>
            <th scope="col" className="col-stages">
              Stages
            </th>
            <th scope="col" className="col-created">
              Created
            </th>
            <th scope="col" className="col-job">
              Job
            </th>
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
                  <span className="error-text" title={job.error.message}>
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
