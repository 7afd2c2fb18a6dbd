import type { MigrationState } from '../api/types.ts';

const LABELS: Record<MigrationState, string> = {
  PENDING: 'Pending',
  DISCOVERED: 'Discovered',
  CONVERTING: 'Converting',
  UPLOADING: 'Uploading',
  DEPLOYED: 'Deployed',
  VERIFIED: 'Verified',
  FAILED: 'Failed',
  ROLLED_BACK: 'Rolled back',
};

/** A job's state as a fixed-width badge; the raw state is in `data-state` for tests and styles. */
export function StateBadge({ state, dryRun = false }: { state: MigrationState; dryRun?: boolean }) {
  return (
    <span className="badges">
      <span
        className={`badge state-${state.toLowerCase()}`}
        data-state={state}
        data-testid="state-badge"
      >
        {LABELS[state] ?? state}
      </span>
      {dryRun ? (
        <span
          className="badge dry-run"
          title="A stage only recorded what it would have done"
          data-testid="dry-run"
        >
          dry run
        </span>
      ) : null}
    </span>
  );
}
