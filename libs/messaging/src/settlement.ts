import { catalogue } from '@ferry/config';
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

/**
 * A handler that cannot go on yet but is not failing (its stage runs elsewhere, say): the command
 * comes back after the delay, and the wait does not count as a failed delivery.
 */
export class RetryLaterError extends Error {
  readonly delayMs: number;
  constructor(delayMs: number, reason: string) {
    super(reason);
    this.name = 'RetryLaterError';
    this.delayMs = delayMs;
  }
}

export interface RetryPolicy {
  /** Failed deliveries before a failing command goes to the dead-letter stream. */
  readonly maxDeliver: number;
  /** Delay before the n-th redelivery (the last value repeats). */
  readonly backoffMs: readonly number[];
  /**
   * How long after it was sent a command whose handler meets an outage of NATS or the store keeps
   * waiting for it to pass without counting a failure; after that, outages count like failures.
   */
  readonly outageMs?: number;
}

// The settings' own defaults, for a consumer made without them (a test, another system's worker).
export const DEFAULT_OUTAGE_MS = catalogue.OUTAGE_WAIT_SECONDS.parse(undefined) * 1000;

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxDeliver: catalogue.COMMAND_MAX_FAILURES.parse(undefined),
  backoffMs: catalogue.COMMAND_BACKOFF_SECONDS.parse(undefined).map((s) => s * 1000),
  outageMs: DEFAULT_OUTAGE_MS,
};

// What NATS's client throws while the server, a cluster's leader or JetStream cannot be reached.
const NATS_OUTAGES = new Set([
  'TimeoutError',
  'NoRespondersError',
  'ClosedConnectionError',
  'DrainingConnectionError',
  'ConnectionError',
  'RequestError',
]);

/**
 * An outage: of NATS, of the event store (which says so with its code), or of another system whose
 * error says so (`outage: true`, as an OpenStackError does when the cloud does not answer as it
 * should). Waited out, not the handler's failure.
 */
export function isOutage(error: unknown): boolean {
  const { name, code, outage } = (error ?? {}) as {
    name?: unknown;
    code?: unknown;
    outage?: unknown;
  };
  return (
    outage === true ||
    code === 'STORE_UNAVAILABLE' ||
    (typeof name === 'string' && NATS_OUTAGES.has(name))
  );
}

export type Settlement =
  | { readonly kind: 'ack' }
  /** `counted`: whether this delivery counts towards the failures before dead-lettering. */
  | { readonly kind: 'retry'; readonly delayMs: number; readonly counted: boolean }
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

/** The wait before the delivery after the `n`-th failed one: the policy's n-th, the last repeating. */
export function retryDelay(policy: RetryPolicy, n: number): number {
  const delays = policy.backoffMs;
  return delays[Math.min(n - 1, delays.length - 1)] ?? 1_000;
}

/**
 * What to do with a message once its handler is done: success → ack; a command that can never
 * succeed → rejected and terminated; a handler asking to retry later, or meeting an outage (for up to
 * `outageMs` after the command was sent) → redelivered without counting a failure; any other failure
 * → redelivered after a backoff, and after the last allowed failure → dead-lettered with the reason.
 * `failures` counts this delivery and the earlier ones that failed; `ageMs` is the command's age;
 * `deliveries` every delivery, which an outage's wait grows with.
 */
export function settle(
  outcome: { ok: true } | { ok: false; error: unknown },
  failures: number,
  policy: RetryPolicy,
  ageMs = 0,
  deliveries = failures,
): Settlement {
  if (outcome.ok) return { kind: 'ack' };
  const { error } = outcome;
  if (error instanceof RetryLaterError)
    return { kind: 'retry', delayMs: error.delayMs, counted: false };
  const after = (n: number) => retryDelay(policy, n);
  if (isOutage(error) && ageMs < (policy.outageMs ?? DEFAULT_OUTAGE_MS))
    return { kind: 'retry', delayMs: after(deliveries), counted: false };
  const backoff = after(failures);
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
  if (failures >= policy.maxDeliver)
    return { kind: 'dead-letter', reason: `failed ${failures} times; last: ${message}` };
  return { kind: 'retry', delayMs: backoff, counted: true };
}
