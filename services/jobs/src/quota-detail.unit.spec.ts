import { describe, expect, it } from 'vitest';
import { quotaDetailLength } from './create-migrations.ts';

describe('the shortfall each VM refused by quota carries', () => {
  it('is whole (up to 1,024 characters) unless many VMs would outgrow half the answer, never under 120', () => {
    expect(quotaDetailLength(4 * 1024 * 1024, 3)).toBe(1024);
    expect(quotaDetailLength(4 * 1024 * 1024, 10_000)).toBe(209);
    expect(quotaDetailLength(1024 * 1024, 10_000)).toBe(120);
    expect(quotaDetailLength(Number.POSITIVE_INFINITY, 10_000)).toBe(1024);
  });
});
