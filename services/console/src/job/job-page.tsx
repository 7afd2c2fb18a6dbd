import { useState } from 'react';

import { MIGRATION_QUERY, MIGRATION_UPDATED } from '../api/operations.ts';
import type { MigrationDetail } from '../api/types.ts';
import { formatTime } from '../format/time.ts';
import { useNow } from '../hooks/use-now.ts';
import { useQuery } from '../hooks/use-query.ts';
import { useSubscription } from '../hooks/use-subscription.ts';
import { hrefFor } from '../router/route.ts';
import { DiskProgressList } from '../ui/disk-progress.tsx';
import { ErrorBox } from '../ui/error-box.tsx';
import { LiveStatusDot } from '../ui/live-status.tsx';
import { StateBadge } from '../ui/state-badge.tsx';
import { JobActions } from './job-actions.tsx';
import {
  ArtifactsTable,
  ConversionBlock,
  ErrorFacts,
  OpenStackList,
  OptionsList,
  RollbackBlock,
  Section,
  StagesTable,
  ValidationTable,
} from './job-sections.tsx';
import { JobTimeline } from './job-timeline.tsx';
import { ToolLog } from './tool-log.tsx';
import { mayAct } from '../api/session.ts';
import { useSession } from '../session/session-context.ts';

export function JobPage({ id }: { id: string }) {
  const session = useSession();
  const { data, error, loading } = useQuery(MIGRATION_QUERY, { id });
  // The newest version pushed live; the page shows it or the query's answer, whichever is newer
  // (updates may cross the query). Undefined until either comes; null when the job does not exist.
  const [pushed, setPushed] = useState<MigrationDetail | undefined>(undefined);
  const live = useSubscription(MIGRATION_UPDATED, { id }, ({ migrationUpdated }) =>
    setPushed((shown) => newer(shown, migrationUpdated)),
  );
  const job: MigrationDetail | null | undefined = !data
    ? pushed
    : data.migration
      ? newer(pushed, data.migration)
      : (pushed ?? null);
  const now = useNow(job ? !job.finished : false);

  if (job === undefined) {
    return (
      <section>
        <h1>Job</h1>
        <ErrorBox error={error} title="The job could not be read" />
        {loading ? <p className="muted">Loading job {id}…</p> : null}
      </section>
    );
  }
  if (job === null) {
    return (
      <section>
        <h1>Job not found</h1>
        <p>
          No job has the id <code>{id}</code>. <a href={hrefFor({ page: 'jobs' })}>See every job</a>
          .
        </p>
      </section>
    );
  }

  return (
    <article
      className="job"
      aria-labelledby="job-title"
      data-testid="job-detail"
      data-job-id={job.id}
      data-state={job.state}
    >
      <div className="page-head">
        <h1 id="job-title">
          {job.vmName} <span className="muted small">job {job.id}</span>
        </h1>
        <LiveStatusDot status={live.status} error={live.error} />
      </div>
      <div className="job-summary">
        <StateBadge state={job.state} dryRun={job.dryRun} />
        <span className="phase" data-testid="job-phase">
          phase {job.phase}
        </span>
        <span className="num" data-testid="job-attempt" data-attempt={job.attempt}>
          attempt {job.attempt}
        </span>
        <span>{job.finished ? 'finished' : 'in progress'}</span>
        <span className="muted num">
          created {formatTime(job.createdAt)} · updated {formatTime(job.updatedAt)} ·{' '}
          {job.eventCount} events
        </span>
      </div>
      <p>
        VM <code>{job.vmKey}</code> from <code>{job.source.key}</code>
      </p>
      {mayAct(session) ? <JobActions job={job} /> : null}
      <ErrorBox error={error} title="The job could not be read again" />

      <div className="cards">
        {job.error ? (
          <Section title="Error" testId="error-section" wide>
            <ErrorFacts job={job} />
          </Section>
        ) : null}
        {job.rollback ? (
          <Section title="Rollback" testId="rollback-section" wide>
            <RollbackBlock job={job} />
          </Section>
        ) : null}
        <Section title="Stages" testId="stages-section">
          <StagesTable job={job} now={now} />
        </Section>
        <Section title="Disk conversion" testId="disks-section">
          <DiskProgressList disks={job.disks} detailed />
        </Section>
        <Section title="OpenStack" testId="openstack-section">
          <OpenStackList job={job} />
        </Section>
        <Section title="Options" testId="options-section">
          <OptionsList job={job} />
        </Section>
        <Section title="Validation" testId="validation-section" wide="double">
          <ValidationTable job={job} />
        </Section>
        <Section title="Conversion" testId="conversion-section" wide>
          <ConversionBlock job={job} />
        </Section>
        <Section title="Artifacts" testId="artifacts-section" wide>
          <ArtifactsTable job={job} />
        </Section>
        <Section title="Tool log" testId="tool-log-section" wide="double">
          <ToolLog job={job} />
        </Section>
      </div>
      <Section title={`Timeline (${job.timeline.length} events)`} testId="timeline-section">
        <JobTimeline events={job.timeline} />
      </Section>
    </article>
  );
}

/** The newer of two versions of the job, by event count (the second on a tie). */
function newer(older: MigrationDetail | undefined, arrived: MigrationDetail): MigrationDetail {
  return older && older.eventCount > arrived.eventCount ? older : arrived;
}
