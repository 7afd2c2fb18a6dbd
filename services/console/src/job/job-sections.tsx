import type { ReactNode } from 'react';

import type { MigrationDetail } from '../api/types.ts';
import { formatBytes } from '../format/bytes.ts';
import { formatDuration, stageDuration } from '../format/duration.ts';
import { formatClock, formatTime } from '../format/time.ts';
import { checkGroups } from './check-groups.ts';

export function Section({
  title,
  testId,
  wide = false,
  children,
}: {
  title: string;
  testId: string;
  /** Spans the whole row (tables with long ids, commands, hashes), or two columns. */
  wide?: boolean | 'double';
  children: ReactNode;
}) {
  const id = `section-${testId}`;
  return (
    <section
      className={wide === 'double' ? 'card double' : wide ? 'card wide' : 'card'}
      aria-labelledby={id}
      data-testid={testId}
    >
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

export function StagesTable({ job, now }: { job: MigrationDetail; now: number }) {
  if (job.stages.length === 0) return <p className="muted">No stage has started.</p>;
  return (
    <table className="data compact">
      <thead>
        <tr>
          <th scope="col">Stage</th>
          <th scope="col">Started</th>
          <th scope="col">Ended</th>
          <th scope="col" className="num">
            Duration
          </th>
          <th scope="col">Outcome</th>
        </tr>
      </thead>
      <tbody>
        {job.stages.map((stage, at) => (
          <tr key={`${stage.stage}-${at}`} data-stage={stage.stage} data-outcome={stage.outcome}>
            <th scope="row">{stage.stage}</th>
            <td className="num nowrap" title={formatTime(stage.startedAt)}>
              {formatClock(stage.startedAt)}
            </td>
            <td className="num nowrap" title={formatTime(stage.endedAt)}>
              {formatClock(stage.endedAt)}
            </td>
            <td className="num">{formatDuration(stageDuration(stage, now))}</td>
            <td>
              <span
                className={`pill ${stage.outcome === 'done' ? 'ok' : stage.outcome === 'failed' ? 'bad' : 'neutral'}`}
              >
                {stage.outcome}
              </span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function OptionsList({ job }: { job: MigrationDetail }) {
  const { options, flags } = job;
  return (
    <dl className="facts">
      <dt>Strategy</dt>
      <dd>{options.strategy}</dd>
      <dt>Boot mode</dt>
      <dd>{options.bootMode}</dd>
      <dt>Flavor</dt>
      <dd>{options.flavor ?? <span className="muted">smallest that fits</span>}</dd>
      <dt>Network mapping</dt>
      <dd>
        {options.networkMapping.length === 0 ? (
          <span className="muted">none</span>
        ) : (
          <ul className="plain">
            {options.networkMapping.map((m) => (
              <li key={`${m.source}->${m.target}`}>
                {m.source} → {m.target}
              </li>
            ))}
          </ul>
        )}
      </dd>
      <dt>Keep MAC</dt>
      <dd>{options.keepMac ? 'yes' : 'no'}</dd>
      <dt>Keep IPs</dt>
      <dd>{options.keepIps ? 'yes' : 'no'}</dd>
      <dt>Availability zone</dt>
      <dd>{options.availabilityZone ?? <span className="muted">the cloud's default</span>}</dd>
      <dt>Security groups</dt>
      <dd data-testid="option-security-groups">
        {options.securityGroups.length > 0 ? (
          options.securityGroups.join(', ')
        ) : (
          <span className="muted">the project's default</span>
        )}
      </dd>
      <dt>Key pair</dt>
      <dd>{options.keyName ?? <span className="muted">none</span>}</dd>
      <dt>Volume type</dt>
      <dd>{options.volumeType ?? <span className="muted">the cloud's default</span>}</dd>
      <dt>Server name</dt>
      <dd>{options.serverName ?? <span className="muted">the VM's name</span>}</dd>
      <dt>Flags</dt>
      <dd>
        real conversion {flags.realConversion ? 'on' : 'off'}; OpenStack deployment{' '}
        {flags.openstackDeployment ? 'on' : 'off'}; rollback {flags.rollback ? 'on' : 'off'}
      </dd>
    </dl>
  );
}

export function ValidationTable({ job }: { job: MigrationDetail }) {
  const { validation } = job;
  if (!validation) return <p className="muted">Not validated yet.</p>;
  return (
    <>
      <p>
        <span className={`pill ${validation.outcome === 'passed' ? 'ok' : 'bad'}`}>
          {validation.outcome}
        </span>{' '}
        <span className="muted num">{formatTime(validation.at)}</span>
      </p>
      {checkGroups(validation.checks).map((group) => {
        const table = (
          <table className="data compact">
            <thead>
              <tr>
                <th scope="col">Check</th>
                <th scope="col">Outcome</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {group.checks.map((c) => (
                <tr key={c.name} data-testid="validation-check" data-check={c.name}>
                  <th scope="row">{c.name}</th>
                  <td>{c.outcome}</td>
                  <td className="wrap">
                    {c.detail}
                    {c.facts ? <span className="muted"> — found {c.facts}</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        );
        // What passed is there to be looked at, not in the way.
        return group.title === 'Passed' ? (
          <details key={group.title} data-testid="checks-passed">
            <summary>
              {group.title} ({group.checks.length})
            </summary>
            {table}
          </details>
        ) : (
          <section key={group.title} data-testid={`checks-${group.title.toLowerCase()}`}>
            <h3 className="small">
              {group.title} ({group.checks.length})
            </h3>
            {table}
          </section>
        );
      })}
    </>
  );
}

export function ConversionBlock({ job }: { job: MigrationDetail }) {
  const { conversion } = job;
  if (!conversion) return <p className="muted">Not converted yet.</p>;
  return (
    <>
      <p>
        {conversion.strategy}
        {conversion.dryRun ? <span className="badge dry-run"> dry run</span> : null}{' '}
        <span className="muted num">
          {formatTime(conversion.startedAt)} → {formatTime(conversion.completedAt)}
        </span>
      </p>
      <pre className="commands" data-testid="conversion-commands" aria-label="Conversion commands">
        {conversion.commands.join('\n') || '(no command)'}
      </pre>
    </>
  );
}

export function ArtifactsTable({ job }: { job: MigrationDetail }) {
  if (job.artifacts.length === 0) return <p className="muted">No artifact.</p>;
  return (
    <table className="data compact">
      <thead>
        <tr>
          <th scope="col" className="num">
            Disk
          </th>
          <th scope="col">Path</th>
          <th scope="col">Format</th>
          <th scope="col" className="num">
            Virtual
          </th>
          <th scope="col" className="num">
            Allocated
          </th>
          <th scope="col">SHA-256 (as sent)</th>
          <th scope="col">Image (Glance's hash)</th>
        </tr>
      </thead>
      <tbody>
        {job.artifacts.map((a) => (
          <tr key={a.diskIndex}>
            <th scope="row" className="num">
              {a.diskIndex}
            </th>
            <td className="wrap">
              <code>{a.path}</code>
            </td>
            <td>{a.format}</td>
            <td className="num">{formatBytes(a.virtualSize)}</td>
            <td className="num">{formatBytes(a.allocatedSize)}</td>
            <td className="wrap">
              {a.sha256 ? (
                <code className="hash">{a.sha256}</code>
              ) : (
                <span className="muted">hashed as it is uploaded</span>
              )}
            </td>
            <td className="wrap">
              {a.imageId ? (
                <>
                  <code>{a.imageId}</code> <code className="hash">{a.imageHash}</code>
                </>
              ) : (
                <span className="muted">not uploaded</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function OpenStackList({ job }: { job: MigrationDetail }) {
  const ids = (values: readonly string[]) =>
    values.length === 0 ? (
      <span className="muted">—</span>
    ) : (
      values.map((v) => (
        <code key={v} className="id">
          {v}
        </code>
      ))
    );
  return (
    <>
      <dl className="facts">
        <dt>Image</dt>
        <dd data-testid="image-id">
          {ids(job.imageIds.length > 0 ? job.imageIds : job.imageId ? [job.imageId] : [])}
        </dd>
        <dt>Server</dt>
        <dd data-testid="server-id">{ids(job.serverId ? [job.serverId] : [])}</dd>
        <dt>Ports</dt>
        <dd>{ids(job.ports)}</dd>
        <dt>Volumes</dt>
        <dd>{ids(job.volumes)}</dd>
      </dl>
      {job.resources.length > 0 ? (
        <details>
          <summary>Everything rollback would remove ({job.resources.length})</summary>
          <ul className="plain">
            {job.resources.map((r) => (
              <li key={`${r.kind}:${r.id}`}>
                {r.kind} <code>{r.id}</code>
                {r.name ? ` ${r.name}` : ''}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </>
  );
}

export function ErrorFacts({ job }: { job: MigrationDetail }) {
  const { error } = job;
  if (!error) return null;
  return (
    <dl
      className="facts error-facts"
      data-testid="job-error"
      data-code={error.code}
      data-stage={error.stage}
    >
      <dt>Stage</dt>
      <dd>{error.stage}</dd>
      <dt>Code</dt>
      <dd>
        <code>{error.code}</code>
        {error.retryable ? <span className="muted"> (retryable)</span> : null}
      </dd>
      <dt>Message</dt>
      <dd className="wrap">{error.message}</dd>
      <dt>At</dt>
      <dd className="num">{formatTime(error.at)}</dd>
    </dl>
  );
}

export function RollbackBlock({ job }: { job: MigrationDetail }) {
  const { rollback } = job;
  if (!rollback) return null;
  return (
    <>
      <p data-testid="rollback-outcome" data-outcome={rollback.outcome ?? 'running'}>
        <span
          className={`pill ${rollback.outcome === 'complete' ? 'ok' : rollback.outcome === 'incomplete' ? 'bad' : 'neutral'}`}
        >
          {rollback.outcome ?? 'under way'}
        </span>{' '}
        <span className="muted num">
          {formatTime(rollback.startedAt)} → {formatTime(rollback.completedAt)}
        </span>
      </p>
      {rollback.steps.length === 0 ? (
        <p className="muted">No step recorded: nothing to remove.</p>
      ) : (
        <table className="data compact" data-testid="rollback-steps">
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">Id</th>
              <th scope="col">Outcome</th>
              <th scope="col">Detail</th>
              <th scope="col">Time</th>
            </tr>
          </thead>
          <tbody>
            {rollback.steps.map((step, at) => (
              <tr key={`${step.kind}:${step.id}:${at}`} data-outcome={step.outcome}>
                <th scope="row">{step.kind}</th>
                <td className="wrap">
                  <code>{step.id}</code>
                  {step.name ? <span className="muted"> {step.name}</span> : null}
                </td>
                <td>{step.outcome}</td>
                <td className="wrap">{step.detail}</td>
                <td className="num nowrap">{formatTime(step.at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
