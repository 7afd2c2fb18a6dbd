import { describe, expect, it } from 'vitest';

import { toggled } from './toggled.ts';

describe('toggled', () => {
  it('adds the ids given, or takes them out, and leaves the selection it was given as it was', () => {
    const before = new Set([1, 2]);
    expect([...toggled(before, [2, 3], true)]).toEqual([1, 2, 3]);
    expect([...toggled(before, [1, 4], false)]).toEqual([2]);
    expect([...before]).toEqual([1, 2]);
  });
});
