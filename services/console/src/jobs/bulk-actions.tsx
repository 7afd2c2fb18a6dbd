import { useId, useState } from 'react';

import { CANCEL_MIGRATIONS, RETRY_MIGRATIONS } from '../api/operations.ts';
import type { MigrationSummary } from '../api/types.ts';
import { useMutation } from '../hooks/use-mutation.ts';

type Bulk = 'cancel' | 'retry';

/**
 * Cancel or retry every selected job that may be, in one request; each job's answer is listed.
 * Jobs selected that may not (a finished one to cancel, an active one to retry) are left out.
 */
export function BulkActions({
  selected,
  onDone,
}: {
  selected: readonly MigrationSummary[];
  onDone: () => void;
}) {
  const cancel = useMutation(CANCEL_MIGRATIONS);
  const retry = useMutation(RETRY_MIGRATIONS);
  const [last, setLast] = useState<Bulk | undefined>(undefined);
  const [reason, setReason] = useState('');
  const reasonId = useId();
  const cancellable = selected.filter((j) => j.canCancel);
  const retryable = selected.filter((j) => j.canRetry);
  const outcomes =
    last === 'cancel'
      ? cancel.result?.cancelMigrations
      : last === 'retry'
        ? retry.result?.retryMigrations
        : undefined;
  const failure = last === 'cancel' ? cancel.error : last === 'retry' ? retry.error : undefined;
  const refused = outcomes?.filter((o) => !o.accepted) ?? [];

  const send = async (bulk: Bulk, jobs: readonly MigrationSummary[]) => {
    setLast(bulk);
    const variables = {
      ids: jobs.map((j) => j.id),
      ...(reason.trim() ? { reason: reason.trim() } : {}),
    };
    const answer = await (bulk === 'cancel' ? cancel : retry).run(variables);
    if (answer) onDone();
  };

  return (
    <div className="bulk-actions" data-testid="bulk-actions">
      <div className="action-row">
        <span className="num">{selected.length} selected</span>
        <label htmlFor={reasonId}>Reason (optional)</label>
        <input
          id={reasonId}
          type="text"
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
        <button
          type="button"
          className="danger"
          disabled={cancellable.length === 0 || cancel.running}
          onClick={() => void send('cancel', cancellable)}
        >
          {cancel.running ? 'Cancelling…' : `Cancel ${cancellable.length} job(s)`}
        </button>
        <button
          type="button"
          disabled={retryable.length === 0 || retry.running}
          onClick={() => void send('retry', retryable)}
        >
          {retry.running ? 'Retrying…' : `Retry ${retryable.length} job(s)`}
        </button>
      </div>
      <div aria-live="polite" data-testid="bulk-result">
        {outcomes ? (
          <p className={`notice ${refused.length === 0 ? 'ok' : 'warn'}`}>
            {outcomes.length - refused.length} of {outcomes.length}{' '}
            {last === 'cancel' ? 'cancellations' : 'retries'} accepted.
          </p>
        ) : null}
        {refused.length > 0 ? (
          <ul className="refusals">
            {refused.map((o) => (
              <li key={o.jobId ?? o.commandId}>
                <code>{o.jobId}</code>: {o.reason ?? 'refused'}
              </li>
            ))}
          </ul>
        ) : null}
        {failure ? (
          <p className="error-box" role="alert">
            {last === 'cancel' ? 'Cancel' : 'Retry'} failed: {failure}
          </p>
        ) : null}
      </div>
    </div>
  );
}
