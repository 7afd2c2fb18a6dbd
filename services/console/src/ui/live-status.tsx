import type { LiveStatus } from '../hooks/use-subscription.ts';

const TEXT: Record<LiveStatus, string> = {
  connecting: 'connecting…',
  live: 'live',
  error: 'live updates stopped',
};

/** Whether the page follows the gateway live. */
export function LiveStatusDot({
  status,
  error,
}: {
  status: LiveStatus;
  error?: string | undefined;
}) {
  return (
    <span
      className={`live live-${status}`}
      data-testid="live-status"
      data-status={status}
      title={error}
    >
      <span className="dot" aria-hidden="true" />
      {TEXT[status]}
      {error ? <span className="visually-hidden">: {error}</span> : null}
    </span>
  );
}
