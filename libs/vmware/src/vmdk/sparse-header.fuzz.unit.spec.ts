import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutated } from '../testing/mutations.ts';
import { readOrRefuse } from '../testing/refusals.ts';
import { HEADER_FIELDS, LIES, setField, sparseExtent } from '../testing/sparse-extent.ts';
import { parseSparseHeader, type SparseHeader } from './sparse-header.ts';

const layout = fc.record({
  capacity: fc.integer({ min: 1, max: 4096 }),
  grainSize: fc.constantFrom(1, 8, 128),
  numGTEsPerGT: fc.constantFrom(4, 512),
});
const header = layout.map((l) =>
  sparseExtent({ ...l, allocated: [], descriptor: '' }).bytes.subarray(0, 512),
);
const lie = fc.tuple(
  fc.constantFrom(...Object.values(HEADER_FIELDS)),
  fc.oneof(fc.constantFrom(...LIES), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })),
);
const lying = fc.tuple(header, fc.array(lie, { minLength: 1, maxLength: 3 })).map(([h, lies]) => {
  const bytes = h.slice();
  for (const [field, value] of lies) setField(bytes, field, value);
  return bytes;
});

/** What a header it accepts must be: sizes a disk can have, and a directory that can be read. */
function expectWellFormed(h: SparseHeader) {
  for (const n of [h.capacity, h.grainSize, h.numGTEsPerGT, h.descriptorOffset, h.descriptorSize])
    expect(Number.isSafeInteger(n * 512) && n >= 0).toBe(true);
  expect(h.gdOffset === -1 || Number.isSafeInteger(h.gdOffset * 512)).toBe(true);
  expect(h.grainSize * h.numGTEsPerGT).toBeGreaterThan(0);
  expect(h.capacity / (h.grainSize * h.numGTEsPerGT)).toBeLessThanOrEqual(32 * 1024 * 1024);
}

describe('parseSparseHeader: an extent header is outside data', () => {
  it('reads or refuses any bytes, KDMV or not, whole or cut short', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 600 }),
      fc.uint8Array({ maxLength: 600 }).map((b) => Uint8Array.from([0x4b, 0x44, 0x4d, 0x56, ...b])),
    );
    fc.assert(
      fc.property(bytes, (b) => {
        const h = readOrRefuse(() => parseSparseHeader(b), Error);
        if (h) expectWellFormed(h);
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses a header whose fields lie, or reads sizes a disk can have', () => {
    fc.assert(
      fc.property(fc.oneof(lying, mutated(header)), (b) => {
        const h = readOrRefuse(() => parseSparseHeader(b), Error);
        if (h) expectWellFormed(h);
      }),
      { numRuns: 3000 },
    );
  });

  it('reads back the fields written', () => {
    fc.assert(
      fc.property(layout, (l) => {
        const { bytes, gdAt } = sparseExtent({ ...l, allocated: [], descriptor: 'x' });
        expect(parseSparseHeader(bytes)).toMatchObject({
          ...l,
          gdOffset: gdAt,
          descriptorOffset: 1,
        });
      }),
      { numRuns: 2000 },
    );
  });

  it('names a header cut short as such', () => {
    fc.assert(
      fc.property(header, fc.integer({ min: 4, max: 511 }), (h, length) => {
        expect(() => parseSparseHeader(h.subarray(0, length))).toThrow(
          `sparse extent header cut short: ${length} of 512 bytes`,
        );
      }),
      { numRuns: 2000 },
    );
  });
});
