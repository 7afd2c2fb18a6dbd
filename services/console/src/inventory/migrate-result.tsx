import type { MigrateResult } from '../api/types.ts';
import { jobHref } from '../router/route.ts';
import { useShownFirst } from '../ui/show-more.tsx';

/** What a migrate request did: the jobs it created and the VMs it skipped, and why. */
export function MigrateResultView({
  result,
  nameOf,
  onDismiss,
}: {
  result: MigrateResult;
  nameOf: (vmKey: string) => string;
  onDismiss: () => void;
}) {
  const jobs = useShownFirst(result.jobs, 50);
  const skipped = useShownFirst(result.skipped, 50);
  return (
    <div className="migrate-result" data-testid="migrate-result" data-command-id={result.commandId}>
      {result.jobs.length > 0 ? (
        <div className="notice ok" data-testid="created-jobs">
          <p>
            <strong>
              Created {result.jobs.length} job{result.jobs.length === 1 ? '' : 's'}:
            </strong>
          </p>
          <ul>
            {jobs.shown.map((job) => (
              <li key={job.jobId} data-job-id={job.jobId} data-vm-key={job.vmKey}>
                {nameOf(job.vmKey)} → <a href={jobHref(job.jobId)}>job {job.jobId}</a>
              </li>
            ))}
          </ul>
          {jobs.more}
        </div>
      ) : (
        <p className="notice neutral">No job was created.</p>
      )}
      {result.skipped.length > 0 ? (
        <div className="notice warn" data-testid="skipped-vms">
          <p>
            <strong>
              Skipped {result.skipped.length} VM{result.skipped.length === 1 ? '' : 's'}:
            </strong>
          </p>
          <ul>
            {skipped.shown.map((s) => (
              <li
                key={s.vmKey}
                data-vm-key={s.vmKey}
                data-reason={s.reason}
                data-active-job-id={s.activeJobId ?? undefined}
              >
                {s.reason === 'active-job' ? (
                  <>
                    {nameOf(s.vmKey)} already has an active job
                    {s.activeJobId ? (
                      <>
                        : <a href={jobHref(s.activeJobId)}>job {s.activeJobId}</a>
                      </>
                    ) : null}
                    .
                  </>
                ) : s.reason === 'unknown-vm' ? (
                  <>
                    <code>{s.vmKey}</code> is not in the inventory (unknown VM).
                  </>
                ) : (
                  <>
                    {nameOf(s.vmKey)}: {s.reason}
                    {s.detail ? <>: {s.detail}</> : null}.
                  </>
                )}
              </li>
            ))}
          </ul>
          {skipped.more}
        </div>
      ) : null}
      <button type="button" className="secondary small" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}
