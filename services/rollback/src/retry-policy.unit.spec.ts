import { CloudConfigError, OpenStackError } from '@ferry/openstack';
import { describe, expect, it } from 'vitest';
import { cloudAway, delayAfter, mayPass } from './retry-policy.ts';

const refused = (status: number) =>
  new OpenStackError({ service: 'volumev3', status, method: 'DELETE', path: '/x', message: 'no' });

describe('the retry policy of a removal', () => {
  it('waits twice as long after each failure, up to a ceiling, then gives up', () => {
    const backoff = { attempts: 6, firstDelayMs: 100, maxDelayMs: 500, unreachableForMs: 0 };
    expect([1, 2, 3, 4, 5, 6].map((n) => delayAfter(n, backoff))).toEqual([
      100,
      200,
      400,
      500,
      500,
      undefined,
    ]);
  });

  it('one attempt means no retry', () => {
    expect(
      delayAfter(1, { attempts: 1, firstDelayMs: 100, maxDelayMs: 100, unreachableForMs: 0 }),
    ).toBeUndefined();
  });

  it('waits for a cloud that does not answer until the deadline, however many attempts that takes', () => {
    const backoff = { attempts: 2, firstDelayMs: 100, maxDelayMs: 500, unreachableForMs: 10_000 };
    expect(delayAfter(50, backoff, { waitedMs: 9_000 })).toBe(500);
    expect(delayAfter(50, backoff, { waitedMs: 9_600 })).toBeUndefined();
    expect(cloudAway(refused(0))).toBe(true);
    expect(cloudAway(refused(503))).toBe(true);
    expect(cloudAway(refused(409))).toBe(false);
  });

  it('tries again what may pass, not what waiting cannot change', () => {
    expect(mayPass(refused(400))).toBe(true); // a volume still detaching
    expect(mayPass(refused(409))).toBe(true);
    expect(mayPass(refused(503))).toBe(true);
    expect(mayPass(refused(0))).toBe(true);
    expect(mayPass(refused(401))).toBe(false);
    expect(mayPass(refused(403))).toBe(false);
    expect(mayPass(new CloudConfigError('no clouds.yaml'))).toBe(false);
    expect(mayPass(Object.assign(new Error('busy'), { code: 'EBUSY' }))).toBe(true);
    expect(mayPass(Object.assign(new Error('denied'), { code: 'EACCES' }))).toBe(false);
  });
});
