import type { RejectionReason } from '@ferry/contracts';

/** How a command that can never succeed was wrong; the consumer answers it with a CommandRejected event. */
export class CommandRejectedError extends Error {
  readonly reason: RejectionReason;
  readonly errors: readonly { path: string; message: string }[];
  constructor(
    reason: RejectionReason,
    message: string,
    errors: readonly { path: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'CommandRejectedError';
    this.reason = reason;
    this.errors = errors.length > 0 ? errors : [{ path: '', message }];
  }
}

export interface RetryPolicy {
  /** Deliveries before a failing command goes to the dead-letter stream. */
  readonly maxDeliver: number;
  /** Delay before the n-th redelivery (the last value repeats). */
  readonly backoffMs: readonly number[];
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxDeliver: 5,
  backoffMs: [1_000, 5_000, 15_000, 30_000, 60_000],
};

export type Settlement =
  | { readonly kind: 'ack' }
  | { readonly kind: 'retry'; readonly delayMs: number }
  | {
      readonly kind: 'reject';
      readonly reason: RejectionReason;
      readonly errors: readonly { path: string; message: string }[];
    }
  | { readonly kind: 'dead-letter'; readonly reason: string };

// Domain errors (libs/domain) carry one of these codes: a command the job's state refuses will be refused again.
const DOMAIN_REJECTIONS: Readonly<Record<string, RejectionReason>> = {
  ILLEGAL_STATE: 'illegal-state',
  CONFLICT: 'illegal-state',
  VALIDATION: 'invalid',
  NOT_FOUND: 'not-found',
};

/**
 * What to do with a message once its handler is done: success → ack; a command that can never
 * succeed → rejected and terminated; any other failure → redelivered after a backoff, and after the
 * last allowed delivery → dead-lettered with the reason.
 */
export function settle(
  outcome: { ok: true } | { ok: false; error: unknown },
  deliveryCount: number,
  policy: RetryPolicy,
): Settlement {
  if (outcome.ok) return { kind: 'ack' };
  const { error } = outcome;
  if (error instanceof CommandRejectedError)
    return { kind: 'reject', reason: error.reason, errors: error.errors };
  const code = (error as { code?: unknown } | null)?.code;
  const domain = typeof code === 'string' ? DOMAIN_REJECTIONS[code] : undefined;
  if (domain)
    return {
      kind: 'reject',
      reason: domain,
      errors: [{ path: '', message: (error as Error).message }],
    };
  const message = error instanceof Error ? error.message : String(error);
  if (deliveryCount >= policy.maxDeliver)
    return { kind: 'dead-letter', reason: `failed ${deliveryCount} times; last: ${message}` };
  const delays = policy.backoffMs;
  return {
    kind: 'retry',
    delayMs: delays[Math.min(deliveryCount - 1, delays.length - 1)] ?? 1_000,
  };
}
