import { setImmediate as turn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';

describe('prelude', () => {
  it('defers the date formats made while modules load, which format as the real ones, then puts the real constructor back', async () => {
    const Real = Intl.DateTimeFormat;
    await import('./prelude.ts');
    const options = { dateStyle: 'full', timeStyle: 'long', timeZone: 'UTC' } as const;
    const deferred = new Intl.DateTimeFormat('en-GB', options);
    expect(Intl.DateTimeFormat).not.toBe(Real);
    const at = Date.UTC(2026, 10, 26, 9, 30);
    const real = new Real('en-GB', options);
    expect(deferred.format(at)).toBe(real.format(at));
    expect(deferred.formatToParts(at)).toEqual(real.formatToParts(at));
    expect(deferred.resolvedOptions().locale).toBe('en-GB');
    expect(deferred).toBeInstanceOf(Real);
    await turn();
    expect(Intl.DateTimeFormat).toBe(Real);
  });
});
