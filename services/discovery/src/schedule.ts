import type { JetStreamClient } from '@nats-io/jetstream';
import { publishCommand, systemActor } from '@ferry/messaging';

/**
 * Asks for a refresh every `seconds`. The command id is the time slot's, so however many replicas
 * ask, JetStream keeps one command per slot, and one replica does the work.
 */
export function scheduleRefresh(
  js: JetStreamClient,
  seconds: number,
  onError: (error: unknown) => void,
): () => void {
  if (seconds <= 0) return () => undefined;
  const tick = () => {
    const slot = Math.floor(Date.now() / (seconds * 1000));
    publishCommand(
      js,
      {
        type: 'RefreshInventory',
        data: {},
        metadata: {
          commandId: `discovery-refresh-${seconds}-${slot}`,
          actor: systemActor('discovery', 'the refresh schedule'),
        },
      },
      { retryForMs: 10_000 },
    ).catch(onError);
  };
  tick();
  const timer = setInterval(tick, seconds * 1000);
  return () => clearInterval(timer);
}
