import type { NatsConnection } from '@nats-io/transport-node';
import { EVENT_SUBJECT_PREFIX } from '@ferry/contracts';

/**
 * Resolves when a commit of the job's stream holds an event of type `done`, as the store publishes
 * it (a core subscription to the stream's subject: no polling to compete with the work measured);
 * rejects on MigrationFailed. Subscribe before sending the command; `wait` gives the promise.
 */
export function jobOutcome(nc: NatsConnection, jobId: string, done: string) {
  const sub = nc.subscribe(`${EVENT_SUBJECT_PREFIX}.migration.${jobId}`);
  const wait = (async () => {
    try {
      for await (const msg of sub) {
        const { events } = msg.json<{ events: { type: string; data: { message?: string } }[] }>();
        const failed = events.find((e) => e.type === 'MigrationFailed');
        if (failed) throw new Error(`${jobId} failed: ${failed.data.message}`);
        if (events.some((e) => e.type === done)) return;
      }
      throw new Error(`${jobId}: the subscription ended before ${done}`);
    } finally {
      sub.unsubscribe();
    }
  })();
  return { wait: () => wait };
}
