/** What one attempt of a request came to: an HTTP status, or a transport error before any answer. */
export type Outcome =
  | { readonly status: number; readonly retryAfter?: string | undefined }
  | { readonly errorCode: string };

export interface RetryOptions {
  readonly retries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A request that may have changed something (POST) is only retried when it surely did not. */
  readonly idempotent: boolean;
}

// The server said it did not take the request: safe to send again, whatever the method.
const REFUSED_STATUS = new Set([429, 503]);
// Gone before any answer: only an idempotent request may be sent again (a POST may have been done).
const TRANSIENT_ERRORS = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
// The connection was never made: nothing was sent.
const NOT_SENT_ERRORS = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EAI_AGAIN']);

/**
 * How long to wait before attempt `attempt + 1`, or undefined when the request must not be
 * retried: 429/503 honour Retry-After (seconds or an HTTP date), other failures back off
 * exponentially; a 4xx that cannot change, or a 5xx after a POST, is final.
 */
export function retryDelayMs(
  attempt: number,
  outcome: Outcome,
  options: RetryOptions,
  now: number = Date.now(),
): number | undefined {
  if (attempt > options.retries) return undefined;
  const backoff = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  if ('errorCode' in outcome) {
    if (NOT_SENT_ERRORS.has(outcome.errorCode)) return backoff;
    return options.idempotent && TRANSIENT_ERRORS.has(outcome.errorCode) ? backoff : undefined;
  }
  if (REFUSED_STATUS.has(outcome.status)) {
    const asked = retryAfterMs(outcome.retryAfter, now);
    return asked === undefined ? backoff : Math.min(options.maxDelayMs, asked);
  }
  if (options.idempotent && (outcome.status === 502 || outcome.status === 504)) return backoff;
  return undefined;
}

function retryAfterMs(header: string | undefined, now: number): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
