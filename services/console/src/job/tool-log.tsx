import { useEffect } from 'react';
import { TOOL_LOG_QUERY } from '../api/operations.ts';
import type { MigrationDetail } from '../api/types.ts';
import { formatClock } from '../format/time.ts';
import { useQuery } from '../hooks/use-query.ts';
import { ErrorBox } from '../ui/error-box.tsx';

/**
 * What virt-v2v and qemu-img said about the job, read again as the job moves on (its phase, or
 * every few events while it converts), not with every progress update.
 */
export function ToolLog({ job }: { job: MigrationDetail }) {
  const { data, error, refetch } = useQuery(TOOL_LOG_QUERY, { id: job.id });
  const moment = `${job.phase}:${Math.floor(job.eventCount / 10)}`;
  useEffect(() => refetch(), [moment, refetch]);
  const lines = data?.migration?.toolLog ?? [];
  if (error) return <ErrorBox error={error} title="The tool log could not be read" />;
  if (lines.length === 0) return <p className="muted">No tool has said anything about this job.</p>;
  return (
    <pre className="tool-log" data-testid="tool-log" aria-label="Tool log">
      {lines.map((l, i) => (
        <span key={i} className={`tool-log-${l.kind}`}>
          {`${formatClock(l.at)} ${l.tool} ${l.kind === 'command' ? '$ ' : l.kind === 'message' || l.kind === 'output' ? '' : `${l.kind}: `}${l.text}\n`}
        </span>
      ))}
    </pre>
  );
}
