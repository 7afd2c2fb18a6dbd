import { describe, expect, it } from 'vitest';
import { retryDelayMs, type RetryOptions } from './retry-policy.ts';

const get: RetryOptions = { retries: 3, baseDelayMs: 100, maxDelayMs: 5_000, idempotent: true };
const post: RetryOptions = { ...get, idempotent: false };

describe('when an OpenStack request is tried again', () => {
  it('backs off exponentially after a transient failure, up to the retries allowed', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, { status: 503 }, get))).toEqual([
      100,
      200,
      400,
      undefined,
    ]);
  });

  it('honours Retry-After on 429 and 503, in seconds or as a date, capped', () => {
    const now = Date.parse('2026-11-25T10:00:00Z');
    expect(retryDelayMs(1, { status: 429, retryAfter: '2' }, get, now)).toBe(2_000);
    expect(
      retryDelayMs(1, { status: 503, retryAfter: 'Wed, 25 Nov 2026 10:00:03 GMT' }, get, now),
    ).toBe(3_000);
    expect(retryDelayMs(1, { status: 429, retryAfter: '3600' }, get, now)).toBe(5_000);
  });

  it('never retries a 4xx that cannot change', () => {
    for (const status of [400, 401, 403, 404, 409, 413])
      expect(retryDelayMs(1, { status }, get), String(status)).toBeUndefined();
  });

  it('retries a reset connection only for a request that changes nothing; one never sent, always', () => {
    expect(retryDelayMs(1, { errorCode: 'ECONNRESET' }, get)).toBe(100);
    expect(retryDelayMs(1, { errorCode: 'ECONNRESET' }, post)).toBeUndefined();
    expect(retryDelayMs(1, { errorCode: 'ECONNREFUSED' }, post)).toBe(100);
    expect(retryDelayMs(1, { status: 502 }, post)).toBeUndefined();
    expect(retryDelayMs(1, { status: 429 }, post)).toBe(100);
  });
});
