/** How often a stage held by another holder is looked at again, at most: a rollback waits no longer. */
const BUSY_POLL_MS = 5_000;

/**
 * When a command whose stage is held is looked at again: by `BUSY_POLL_MS` when another stage
 * holds the job (it is stopping, and releases in seconds); when this very command's earlier
 * delivery holds it (that holder died or hangs), three times as long at each delivery, since only
 * the lease's lapse frees it. Never after the lapse, never within a second. Each look is a delivery,
 * and a consumer counts the deliveries that other replicas saw wait as failures: a wait of a lease's
 * length must stay a handful of deliveries, not one every few seconds.
 */
export function busyPollMs(lapseMs: number, ownCommand: boolean, deliveryCount: number): number {
  const poll = ownCommand
    ? BUSY_POLL_MS * 3 ** Math.min(12, Math.max(0, deliveryCount - 2))
    : BUSY_POLL_MS;
  return Math.min(poll, Math.max(1_000, lapseMs));
}
