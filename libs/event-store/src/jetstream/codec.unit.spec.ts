import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCommit, encodeCommit } from './codec.ts';

const metadata = { commandId: 'c', correlationId: 'c', causationId: 'c', occurredAt: 'now' };
const noMetadata = (e: { metadata?: unknown }) =>
  e.metadata === undefined ? 'no metadata' : undefined;

describe('decodeCommit: bytes from the stream are outside data', () => {
  it('never throws, whatever the bytes: a commit or a reason', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        const decoded = decodeCommit('s-1', 1, bytes, noMetadata);
        expect(decoded.ok || decoded.reason.length > 0).toBe(true);
      }),
    );
  });

  it('never throws on any JSON value, and accepts only the shape of a commit', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const decoded = decodeCommit('s-1', 1, new TextEncoder().encode(JSON.stringify(value)));
        if (decoded.ok) {
          expect(decoded.commit.events.length).toBeGreaterThan(0);
          for (const e of decoded.commit.events) expect(typeof e.type).toBe('string');
        }
      }),
    );
  });

  it('gives back what encodeCommit wrote: types, data, ids, revisions from the first', () => {
    const events = fc.array(
      fc.record({ type: fc.string({ minLength: 1 }), data: fc.jsonValue(), id: fc.uuid() }),
      { minLength: 1, maxLength: 8 },
    );
    fc.assert(
      fc.property(events, fc.nat(1_000_000), (written, first) => {
        const { bytes } = encodeCommit(
          first,
          written.map((e) => ({ ...e, metadata })),
        );
        const decoded = decodeCommit('s-1', 9, bytes, noMetadata);
        if (!decoded.ok) throw new Error(decoded.reason);
        expect(decoded.commit.events.map((e) => [e.type, e.eventId, e.revision])).toEqual(
          written.map((e, i) => [e.type, e.id, first + i]),
        );
        // JSON has no -0 nor undefined: compare as stored.
        expect(JSON.stringify(decoded.commit.events.map((e) => e.data))).toBe(
          JSON.stringify(written.map((e) => e.data)),
        );
      }),
    );
  });

  it('names why: not JSON, not a commit, refused by the check', () => {
    const text = (s: string) => new TextEncoder().encode(s);
    expect(decodeCommit('s-1', 1, text('not json'))).toMatchObject({ ok: false });
    expect(decodeCommit('s-1', 1, text('{"revision":-1,"events":[]}'))).toMatchObject({
      reason: expect.stringContaining('revision'),
    });
    expect(
      decodeCommit(
        's-1',
        1,
        text('{"revision":0,"events":[{"id":"a","type":"T","data":1}]}'),
        noMetadata,
      ),
    ).toMatchObject({ reason: expect.stringContaining('no metadata') });
    expect(decodeCommit('s-1', 1, new Uint8Array([0xff, 0xfe]))).toMatchObject({
      reason: expect.stringContaining('not a JSON commit'),
    });
  });
});
