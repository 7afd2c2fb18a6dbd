import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReadAhead } from './read-ahead.ts';

/** A file of `size` bytes (each its offset mod 251) sent in chunks of `chunk`, counting transfers. */
function file(size: number, chunk: number) {
  const bytes = Buffer.from(Array.from({ length: size }, (_, i) => i % 251));
  const opened: number[] = [];
  const open = (start: number) => {
    opened.push(start);
    return (async function* () {
      for (let at = start; at < size; at += chunk)
        yield bytes.subarray(at, Math.min(size, at + chunk));
    })();
  };
  return { bytes, opened, open };
}

describe('a file read ahead of its converter', () => {
  it('serves ranges asked in order, several at once, from one transfer', async () => {
    const f = file(10_000, 64);
    const reader = new ReadAhead(f.open, 4096, 2048);
    const ranges = [
      [0, 999],
      [2000, 2999],
      [1000, 1999],
      [3000, 3999],
    ] as const;
    const got = await Promise.all(ranges.map(([a, b]) => reader.range(a, b)));
    got.forEach((bytes, i) => {
      const [a, b] = ranges[i] as readonly [number, number];
      expect(bytes?.equals(f.bytes.subarray(a, b + 1))).toBe(true);
    });
    expect(f.opened).toEqual([0]);
    await reader.close();
  });

  it('leaves a range behind its window, or far ahead, to be read directly', async () => {
    const f = file(100_000, 100);
    const reader = new ReadAhead(f.open, 1000, 500);
    await reader.range(0, 9999);
    await reader.range(10_000, 19_999);
    expect(await reader.range(0, 99)).toBeUndefined();
    expect(await reader.range(90_000, 90_099)).toBeUndefined();
    await reader.close();
  });

  it('whatever ranges are asked, what it gives is the file’s bytes there', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 700 }),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 900 })), { minLength: 1, maxLength: 20 }),
        async (size, chunk, asks) => {
          const f = file(size, chunk);
          const reader = new ReadAhead(f.open, 1500, 800);
          // All at once, as a converter's parallel reads come.
          await Promise.all(
            asks.map(async ([at, length]) => {
              const from = at % size;
              const to = Math.min(size - 1, from + length);
              const bytes = await reader.range(from, to);
              if (bytes) expect(bytes.equals(f.bytes.subarray(from, to + 1))).toBe(true);
            }),
          );
          await reader.close();
        },
      ),
    );
  });
});
