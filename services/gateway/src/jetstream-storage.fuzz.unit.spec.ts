import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readJsz } from './jetstream-storage.ts';

describe('readJsz', () => {
  it('reads the used bytes and the limit of a /jsz answer', () => {
    expect(
      readJsz({
        config: { max_storage: 67_108_864, store_dir: '/data' },
        storage: 1024,
        memory: 0,
      }),
    ).toEqual({ usedBytes: 1024, limitBytes: 67_108_864 });
  });

  it('gives nothing for an answer without both figures, or with a limit of nothing', () => {
    for (const body of [
      null,
      'ok',
      {},
      { storage: 1 },
      { config: { max_storage: 10 } },
      { config: { max_storage: 0 }, storage: 0 },
      { config: { max_storage: -1 }, storage: 5 },
      { config: { max_storage: '10' }, storage: 5 },
    ])
      expect(readJsz(body), JSON.stringify(body)).toBeUndefined();
  });

  it('never throws on any JSON, and gives only finite non-negative figures', () => {
    const figure = fc.oneof(fc.double(), fc.integer(), fc.string(), fc.constant(null));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.record({
            storage: figure,
            config: fc.oneof(fc.jsonValue(), fc.record({ max_storage: figure })),
          }),
        ),
        (body) => {
          const read = readJsz(body);
          if (read === undefined) return;
          for (const v of [read.usedBytes, read.limitBytes])
            expect(Number.isFinite(v) && v >= 0).toBe(true);
          expect(read.limitBytes).toBeGreaterThan(0);
        },
      ),
    );
  });
});
