import { describe, expect, it } from 'vitest';
import { spaceDecision, withOverhead } from './space-ledger.ts';

const MiB = 1024 * 1024;

describe('space for a conversion: given what is free and the conversions in flight, then', () => {
  it.each([
    ['alone, it fits', 10, 40, [], 'start'],
    ['alone, it cannot fit, now or later', 50, 40, [], 'never'],
    ['what another has yet to write is counted', 21, 40, [{ reserved: 24, written: 4 }], 'wait'],
    [
      'what another has written is already gone from free',
      20,
      40,
      [{ reserved: 24, written: 24 }],
      'start',
    ],
    ['a second fits beside the first', 10, 40, [{ reserved: 24, written: 0 }], 'start'],
    [
      'writing past its reservation frees nothing of it',
      16,
      40,
      [{ reserved: 24, written: 30 }],
      'start',
    ],
    [
      'two in flight: each one’s remainder counts',
      10,
      40,
      [
        { reserved: 16, written: 0 },
        { reserved: 16, written: 0 },
      ],
      'wait',
    ],
  ] as const)('%s', (_, need, free, inFlight, decision) =>
    expect(
      spaceDecision(
        need * MiB,
        free * MiB,
        inFlight.map((r) => ({ reserved: r.reserved * MiB, written: r.written * MiB })),
      ),
    ).toBe(decision),
  );

  it("a qcow2's tables are allowed for", () => {
    expect(withOverhead(0)).toBe(MiB);
    expect(withOverhead(100 * MiB)).toBe(102 * MiB);
  });
});
