import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { EVENT_SUBJECT_PREFIX } from '@ferry/contracts';

/**
 * The jobs being converted here, each with an AbortController that a CancelRequested appended to
 * the job's stream fires. Every commit of the store is a NATS message on the job's subject, so a
 * plain subscription sees the cancel as soon as it is stored.
 */
export class Cancellations {
  private readonly running = new Map<string, AbortController>();
  private readonly subscription: Subscription;

  constructor(nc: NatsConnection) {
    this.subscription = nc.subscribe(`${EVENT_SUBJECT_PREFIX}.migration.*`, {
      callback: (error, message) => {
        if (error) return;
        const jobId = message.subject.slice(`${EVENT_SUBJECT_PREFIX}.migration.`.length);
        const controller = this.running.get(jobId);
        if (!controller) return;
        let events: unknown;
        try {
          ({ events } = message.json<{ events: unknown }>());
        } catch {
          return; // not a commit (the store's readers quarantine it)
        }
        if (Array.isArray(events) && events.some((e) => e?.type === 'CancelRequested'))
          controller.abort(new Error(`job ${jobId} was cancelled`));
      },
    });
  }

  /** A signal that fires when the job is cancelled, or when `also` fires (the service stopping). */
  track(
    jobId: string,
    also?: AbortSignal,
  ): { signal: AbortSignal; cancelled: () => boolean; done: () => void } {
    const controller = new AbortController();
    this.running.set(jobId, controller);
    const signal = also ? AbortSignal.any([controller.signal, also]) : controller.signal;
    return {
      signal,
      cancelled: () => controller.signal.aborted,
      done: () => this.running.delete(jobId),
    };
  }

  close(): void {
    this.subscription.unsubscribe();
  }
}
