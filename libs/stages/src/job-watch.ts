import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { EVENT_SUBJECT_PREFIX } from '@ferry/contracts';

/** Why a stage must stop, as its job's events say. */
export type StopReason = 'cancelled' | 'failed' | 'taken-over';

/**
 * Follows a job's commits as they are stored (each is a message on the job's subject) and says when
 * what a stage is doing must stop: the job was cancelled, failed elsewhere (the watchdog, a giving
 * up), or another holder took the stage over. Undecodable commits are ignored here: the store's
 * readers quarantine them.
 */
export function watchJob(
  nc: NatsConnection,
  jobId: string,
  holder: () => string | undefined,
  stop: (reason: StopReason) => void,
): Subscription {
  return nc.subscribe(`${EVENT_SUBJECT_PREFIX}.migration.${jobId}`, {
    callback: (error, message) => {
      if (error) return;
      let events: unknown;
      try {
        ({ events } = message.json<{ events: unknown }>());
      } catch {
        return;
      }
      if (!Array.isArray(events)) return;
      for (const e of events as { type?: unknown; data?: { holder?: unknown } }[]) {
        if (e?.type === 'CancelRequested') return stop('cancelled');
        if (e?.type === 'MigrationFailed') return stop('failed');
        if (e?.type === 'StageClaimed' && e.data?.holder !== holder()) return stop('taken-over');
      }
    },
  });
}
