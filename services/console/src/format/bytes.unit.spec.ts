import { describe, expect, it } from 'vitest';

import { formatBytes, formatMemoryMiB } from './bytes.ts';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [10 * 1024 ** 3, '10 GiB'],
    [16.25 * 1024 ** 3, '16.3 GiB'],
    [1.234 * 1024 ** 2, '1.23 MiB'],
    [200.4 * 1024 ** 4, '200 TiB'],
  ])('%d bytes reads %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('shows a dash for what is not a size', () => {
    expect(formatBytes(-1)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });
});

describe('formatMemoryMiB', () => {
  it('reads MiB as bytes', () => {
    expect(formatMemoryMiB(4096)).toBe('4 GiB');
    expect(formatMemoryMiB(768)).toBe('768 MiB');
  });
});
