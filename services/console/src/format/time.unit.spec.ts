import { describe, expect, it } from 'vitest';

import { formatClock, formatTime } from './time.ts';

describe('formatTime', () => {
  it('formats an ISO time in UTC', () => {
    expect(formatTime('2026-03-04T05:06:07.890Z', true)).toBe('2026-03-04 05:06:07');
  });

  it('shows a dash for no time and the text itself for an unreadable one', () => {
    expect(formatTime(null)).toBe('—');
    expect(formatTime('soon')).toBe('soon');
  });
});

describe('formatClock', () => {
  it('keeps the time of day only', () => {
    expect(formatClock('2026-03-04T05:06:07Z', true)).toBe('05:06:07');
    expect(formatClock(undefined)).toBe('—');
  });
});
