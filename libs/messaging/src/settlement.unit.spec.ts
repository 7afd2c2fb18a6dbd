import { describe, expect, it } from 'vitest';
import { CommandRejectedError, RetryLaterError, settle } from './settlement.ts';

const policy = { maxDeliver: 3, backoffMs: [100, 500] };
const domainError = (code: string) =>
  Object.assign(new Error(`ConvertDisks is not allowed in state VERIFIED`), { code });

describe('settle', () => {
  it('acks a handled command', () => {
    expect(settle({ ok: true }, 1, policy)).toEqual({ kind: 'ack' });
  });

  it('retries other failures on the backoff schedule, the last delay repeating', () => {
    expect(settle({ ok: false, error: new Error('glance timed out') }, 1, policy)).toEqual({
      kind: 'retry',
      delayMs: 100,
      counted: true,
    });
    expect(settle({ ok: false, error: new Error('glance timed out') }, 2, policy)).toEqual({
      kind: 'retry',
      delayMs: 500,
      counted: true,
    });
  });

  it('dead-letters after the last allowed delivery, with the reason', () => {
    expect(settle({ ok: false, error: new Error('disk on fire') }, 3, policy)).toEqual({
      kind: 'dead-letter',
      reason: 'failed 3 times; last: disk on fire',
    });
  });

  it('rejects at once what can never succeed: a refused command, a domain refusal', () => {
    expect(
      settle({ ok: false, error: new CommandRejectedError('not-found', 'no job j1') }, 1, policy),
    ).toEqual({
      kind: 'reject',
      reason: 'not-found',
      errors: [{ path: '', message: 'no job j1' }],
    });
    expect(settle({ ok: false, error: domainError('ILLEGAL_STATE') }, 1, policy)).toMatchObject({
      kind: 'reject',
      reason: 'illegal-state',
    });
    expect(settle({ ok: false, error: domainError('VALIDATION') }, 1, policy)).toMatchObject({
      kind: 'reject',
      reason: 'invalid',
    });
  });

  it('retries an optimistic-concurrency conflict, which the next attempt can win', () => {
    expect(settle({ ok: false, error: domainError('CONCURRENCY') }, 1, policy)).toEqual({
      kind: 'retry',
      delayMs: 100,
      counted: true,
    });
  });

  it('waits out an outage of NATS or the store without counting it, until the command is too old', () => {
    const storeDown = Object.assign(new Error('maximum messages exceeded'), {
      code: 'STORE_UNAVAILABLE',
    });
    const natsDown = Object.assign(new Error('no responders'), { name: 'NoRespondersError' });
    const outagePolicy = { ...policy, outageMs: 60_000 };
    for (const error of [storeDown, natsDown])
      expect(settle({ ok: false, error }, 1, outagePolicy, 59_000, 2)).toEqual({
        kind: 'retry',
        delayMs: 500,
        counted: false,
      });
    expect(settle({ ok: false, error: storeDown }, 3, outagePolicy, 61_000)).toMatchObject({
      kind: 'dead-letter',
    });
  });

  it('retries when the handler asks to, after its delay, without counting it', () => {
    expect(
      settle({ ok: false, error: new RetryLaterError(7_000, 'held elsewhere') }, 5, policy),
    ).toEqual({ kind: 'retry', delayMs: 7_000, counted: false });
  });
});
