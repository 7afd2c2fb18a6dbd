import fc from 'fast-check';

type Edit =
  | { kind: 'set'; at: number; byte: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'cut'; at: number; length: number }
  | { kind: 'truncate'; at: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('set'), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert'), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 8 }) }),
  fc.record({ kind: fc.constant('cut'), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('truncate'), at: fc.nat() }),
);

function apply(bytes: Uint8Array, e: Edit): Uint8Array {
  const at = e.at % (bytes.byteLength + 1);
  switch (e.kind) {
    case 'set': {
      const out = bytes.slice();
      if (at < out.byteLength) out[at] = e.byte;
      return out;
    }
    case 'insert':
      return concat(bytes.subarray(0, at), e.bytes, bytes.subarray(at));
    case 'cut':
      return concat(bytes.subarray(0, at), bytes.subarray(at + e.length));
    case 'truncate':
      return bytes.slice(0, at);
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** `bytes` with a few random edits: a byte changed, bytes put in or cut out, the end cut off. */
export const mutated = (bytes: fc.Arbitrary<Uint8Array>, maxEdits = 3): fc.Arbitrary<Uint8Array> =>
  fc
    .tuple(bytes, fc.array(edit, { maxLength: maxEdits }))
    .map(([b, edits]) => edits.reduce(apply, b));
