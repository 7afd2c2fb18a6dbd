import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CMD,
  judgeRequest,
  MAX_READ,
  parseGoName,
  parseRequest,
  REQUEST_BYTES,
  REQUEST_MAGIC,
} from './protocol.ts';

const request = (fields: { type: number; offset: bigint; length: number; magic?: number }) => {
  const b = Buffer.alloc(REQUEST_BYTES);
  b.writeUInt32BE(fields.magic ?? REQUEST_MAGIC, 0);
  b.writeUInt16BE(fields.type, 6);
  b.writeBigUInt64BE(fields.offset, 16);
  b.writeUInt32BE(fields.length, 24);
  return parseRequest(b);
};

describe('an NBD client’s requests', () => {
  it('given any 28 bytes, a read is served only inside the export and no larger than MAX_READ', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: REQUEST_BYTES, maxLength: REQUEST_BYTES }),
        fc.nat({ max: 2 ** 40 }),
        (bytes, size) => {
          const verdict = judgeRequest(parseRequest(Buffer.from(bytes)), size);
          if (verdict.kind === 'read') {
            expect(verdict.offset + verdict.length).toBeLessThanOrEqual(size);
            expect(verdict.length).toBeLessThanOrEqual(MAX_READ);
          }
        },
      ),
    );
  });

  it('given a read past the end, when judged, then EINVAL; a write, EPERM; a bad magic, a hang-up', () => {
    const size = 1024 * 1024;
    expect(judgeRequest(request({ type: CMD.read, offset: 0n, length: 4096 }), size)).toEqual({
      kind: 'read',
      offset: 0,
      length: 4096,
    });
    expect(
      judgeRequest(request({ type: CMD.read, offset: BigInt(size - 1), length: 2 }), size),
    ).toEqual({ kind: 'reply', error: 22 });
    expect(
      judgeRequest(request({ type: CMD.read, offset: 2n ** 64n - 1n, length: 2 }), size),
    ).toEqual({ kind: 'reply', error: 22 });
    expect(judgeRequest(request({ type: CMD.write, offset: 0n, length: 1 }), size)).toEqual({
      kind: 'reply',
      error: 1,
    });
    expect(
      judgeRequest(request({ type: CMD.read, offset: 0n, length: 1, magic: 1 }), size).kind,
    ).toBe('disconnect');
    expect(judgeRequest(request({ type: CMD.disc, offset: 0n, length: 0 }), size).kind).toBe(
      'disconnect',
    );
  });

  it("given any option data, a GO's name is read only when its lengths add up", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const data = Buffer.from(bytes);
        const name = parseGoName(data);
        if (name !== undefined) {
          const n = data.readUInt32BE(0);
          expect(4 + n + 2 + 2 * data.readUInt16BE(4 + n)).toBe(data.length);
        }
      }),
    );
    const go = Buffer.from([0, 0, 0, 3, 0x61, 0x62, 0x63, 0, 1, 0, 3]);
    expect(parseGoName(go)).toBe('abc');
    expect(parseGoName(go.subarray(0, 10))).toBeUndefined();
  });
});
