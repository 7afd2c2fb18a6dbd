import { describe, expect, it } from 'vitest';
import { deferredDateTimeFormat } from './deferred-date-format.ts';

describe('deferredDateTimeFormat', () => {
  it('makes date formats that format as the real ones', () => {
    const Deferred = deferredDateTimeFormat(Intl.DateTimeFormat);
    const options = { dateStyle: 'full', timeStyle: 'long', timeZone: 'UTC' } as const;
    const deferred = new Deferred('en-GB', options);
    const real = new Intl.DateTimeFormat('en-GB', options);
    const at = Date.UTC(2026, 10, 26, 9, 30);
    expect(deferred.format(at)).toBe(real.format(at));
    expect(deferred.formatToParts(at)).toEqual(real.formatToParts(at));
    expect(deferred.resolvedOptions().locale).toBe('en-GB');
    expect(deferred).toBeInstanceOf(Intl.DateTimeFormat);
    expect(Deferred.supportedLocalesOf(['en-GB'])).toEqual(['en-GB']);
  });
});
