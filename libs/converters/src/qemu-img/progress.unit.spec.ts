import { describe, expect, it } from 'vitest';
import { qemuImgProgress } from './progress.ts';

describe('qemuImgProgress', () => {
  it('reads carriage-return separated records, even split across chunks, never going backwards', () => {
    const seen: number[] = [];
    const feed = qemuImgProgress((p) => seen.push(p));
    for (const chunk of [
      '    (0.00/100%)\r    (1.',
      '02/100%)\r    (1.02/100%)\r',
      '    (0.50/100%)\r    (55.5/100%)\r    (100.00/100%)\r\n',
    ])
      feed(chunk);
    expect(seen).toEqual([0, 1.02, 55.5, 100]);
  });

  it('ignores what is not a progress record', () => {
    const seen: number[] = [];
    const feed = qemuImgProgress((p) => seen.push(p));
    feed('qemu-img: warning: something\n    (12.00/100%)\r');
    expect(seen).toEqual([12]);
  });
});
