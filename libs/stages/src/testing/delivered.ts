import type { Delivery } from '../stage-runner.ts';

/**
 * A command handed to a stage's handler in-process, as the consumer would hand it one: its place
 * in the command stream (each distinct command has its own), and a heartbeat with no message to keep.
 */
export const delivered = (sequence = 1, deliveryCount = 1): Delivery => ({
  sequence,
  deliveryCount,
  driveHeartbeat: () => () => undefined,
});
