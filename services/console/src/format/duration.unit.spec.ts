import { describe, expect, it } from 'vitest';

import { formatDuration, stageDuration } from './duration.ts';

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [849.6, '850 ms'],
    [4_200, '4.2 s'],
    [59_940, '59.9 s'],
    [60_000, '1 min 00 s'],
    [184_000, '3 min 04 s'],
    [3_600_000, '1 h 00 min'],
    [7_500_000, '2 h 05 min'],
  ])('%d ms reads %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('shows a dash when there is no duration', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(undefined)).toBe('—');
    expect(formatDuration(-5)).toBe('—');
  });
});

describe('stageDuration', () => {
  it('takes the recorded duration of an ended stage', () => {
    expect(stageDuration({ startedAt: '2026-01-01T00:00:00Z', durationMs: 1234 }, 0)).toBe(1234);
  });

  it('counts a running stage up to now', () => {
    const now = Date.parse('2026-01-01T00:00:05Z');
    expect(stageDuration({ startedAt: '2026-01-01T00:00:00Z', durationMs: null }, now)).toBe(5000);
  });
});
