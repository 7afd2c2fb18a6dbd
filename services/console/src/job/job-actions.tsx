import { useId, useState } from 'react';

import { CANCEL_MIGRATION, RERUN_ROLLBACK, RETRY_MIGRATION } from '../api/operations.ts';
import type { MigrationDetail } from '../api/types.ts';
import { useMutation } from '../hooks/use-mutation.ts';
import { MigrateDialog } from '../inventory/migrate-dialog.tsx';

type Action = 'cancel' | 'retry' | 'rollback';
const VERBS: Readonly<Record<Action, string>> = {
  cancel: 'Cancel',
  retry: 'Retry',
  rollback: 'Rollback again',
};

/** Cancel, Retry and Roll back again, with the gateway's answer announced. */
export function JobActions({ job }: { job: MigrationDetail }) {
  const cancel = useMutation(CANCEL_MIGRATION);
  const retry = useMutation(RETRY_MIGRATION);
  const rollback = useMutation(RERUN_ROLLBACK);
  const [reason, setReason] = useState('');
  const [last, setLast] = useState<Action | undefined>(undefined);
  const [editing, setEditing] = useState(false);
  const reasonId = useId();
  const variables = () => ({ id: job.id, ...(reason.trim() ? { reason: reason.trim() } : {}) });

  const outcome =
    last === 'cancel'
      ? cancel.result?.cancelMigration
      : last === 'retry'
        ? retry.result?.retryMigration
        : last === 'rollback'
          ? rollback.result?.rerunRollback
          : undefined;
  const failure =
    last === 'cancel'
      ? cancel.error
      : last === 'retry'
        ? retry.error
        : last === 'rollback'
          ? rollback.error
          : undefined;
  const verb = VERBS[last ?? 'cancel'];

  return (
    <div className="job-actions">
      <div className="action-row">
        <label htmlFor={reasonId}>Reason (optional)</label>
        <input
          id={reasonId}
          type="text"
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
        {job.canCancel ? (
          <button
            type="button"
            className="danger"
            disabled={cancel.running}
            onClick={() => {
              setLast('cancel');
              void cancel.run(variables());
            }}
          >
            {cancel.running ? 'Cancelling…' : 'Cancel'}
          </button>
        ) : null}
        {job.canRetry ? (
          <button
            type="button"
            disabled={retry.running}
            onClick={() => {
              setLast('retry');
              void retry.run(variables());
            }}
          >
            {retry.running ? 'Retrying…' : 'Retry'}
          </button>
        ) : null}
        {job.canRetry ? (
          <button
            type="button"
            className="secondary"
            disabled={retry.running}
            onClick={() => {
              retry.reset();
              setEditing(true);
            }}
          >
            Edit and retry…
          </button>
        ) : null}
        {job.canRerunRollback ? (
          <button
            type="button"
            disabled={rollback.running}
            onClick={() => {
              setLast('rollback');
              void rollback.run(variables());
            }}
          >
            {rollback.running ? 'Rolling back…' : 'Roll back again'}
          </button>
        ) : null}
      </div>
      {editing ? (
        <MigrateDialog
          vms={[{ key: job.vmKey, name: job.vmName, nics: [] }]}
          retry={{ options: job.options }}
          running={retry.running}
          error={retry.error}
          onSubmit={(options) => {
            setLast('retry');
            void retry.run({ ...variables(), options }).then((answer) => {
              if (answer) setEditing(false);
            });
          }}
          onClose={() => setEditing(false)}
        />
      ) : null}
      <div aria-live="polite" data-testid="action-result">
        {outcome ? (
          <p
            className={`notice ${outcome.accepted ? 'ok' : 'warn'}`}
            data-accepted={outcome.accepted}
          >
            {outcome.accepted
              ? `${verb} accepted (command ${outcome.commandId}).`
              : `${verb} refused: ${outcome.reason ?? 'no reason given'}.`}
          </p>
        ) : null}
        {failure ? (
          <p className="error-box" role="alert">
            {verb} failed: {failure}
          </p>
        ) : null}
      </div>
    </div>
  );
}
