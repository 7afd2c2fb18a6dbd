/**
 * The parts of the NBD protocol (fixed newstyle handshake, simple replies) a read-only export
 * needs: qemu-img reads an export as a disk, and asks nothing else of it.
 * https://github.com/NetworkBlockDevice/nbd/blob/master/doc/proto.md
 */

export const NBDMAGIC = 0x4e42444d41474943n;
export const IHAVEOPT = 0x49484156454f5054n;
const OPTION_REPLY_MAGIC = 0x3e889045565a9n;
export const REQUEST_MAGIC = 0x25609513;
const SIMPLE_REPLY_MAGIC = 0x67446698;

export const HANDSHAKE_FLAGS = { fixedNewstyle: 1, noZeroes: 2 } as const;
/** Transmission flags: has flags, read-only. */
export const EXPORT_FLAGS = 1 | 2;

export const OPT = { exportName: 1, abort: 2, list: 3, info: 6, go: 7 } as const;
export const REP = {
  ack: 1,
  info: 3,
  errUnsup: 0x80000001,
  errPolicy: 0x80000002,
  errInvalid: 0x80000003,
  errUnknown: 0x80000006,
} as const;
export const CMD = { read: 0, write: 1, disc: 2, flush: 3, trim: 4, cache: 5 } as const;
export const ERRNO = { eperm: 1, eio: 5, einval: 22, enotsup: 95, eshutdown: 108 } as const;

/** The largest read served at once, and so the largest any client may ask (qemu asks 32 MiB at most). */
export const MAX_READ = 32 * 1024 * 1024;
/** An option's data is a name and a few fields; anything longer is not from a client. */
export const MAX_OPTION_DATA = 4096;
export const REQUEST_BYTES = 28;

export interface Request {
  readonly magic: number;
  readonly flags: number;
  readonly type: number;
  /** The client's own 8 bytes, echoed in the reply. */
  readonly handle: Buffer;
  readonly offset: bigint;
  readonly length: number;
}

export function parseRequest(bytes: Buffer): Request {
  if (bytes.length !== REQUEST_BYTES) throw new RangeError(`a request is ${REQUEST_BYTES} bytes`);
  return {
    magic: bytes.readUInt32BE(0),
    flags: bytes.readUInt16BE(4),
    type: bytes.readUInt16BE(6),
    handle: Buffer.from(bytes.subarray(8, 16)),
    offset: bytes.readBigUInt64BE(16),
    length: bytes.readUInt32BE(24),
  };
}

/** What to do with a transmission request on an export of `size` bytes: read, an error, or hang up. */
export type Verdict =
  | { readonly kind: 'read'; readonly offset: number; readonly length: number }
  | { readonly kind: 'reply'; readonly error: number }
  | { readonly kind: 'disconnect' };

export function judgeRequest(request: Request, size: number): Verdict {
  if (request.magic !== REQUEST_MAGIC || request.type === CMD.disc) return { kind: 'disconnect' };
  const inside = request.offset + BigInt(request.length) <= BigInt(size);
  switch (request.type) {
    case CMD.read:
      if (!inside || request.length > MAX_READ) return { kind: 'reply', error: ERRNO.einval };
      return { kind: 'read', offset: Number(request.offset), length: request.length };
    case CMD.flush:
    case CMD.cache:
      return { kind: 'reply', error: inside ? 0 : ERRNO.einval };
    case CMD.write:
    case CMD.trim:
      return { kind: 'reply', error: ERRNO.eperm };
    default:
      return { kind: 'reply', error: ERRNO.einval };
  }
}

/** An `NBD_OPT_GO` or `NBD_OPT_INFO`'s data: the export's name (the information asked is ignored). */
export function parseGoName(data: Buffer): string | undefined {
  if (data.length < 6) return undefined;
  const nameLength = data.readUInt32BE(0);
  if (4 + nameLength + 2 > data.length) return undefined;
  const requests = data.readUInt16BE(4 + nameLength);
  if (4 + nameLength + 2 + 2 * requests !== data.length) return undefined;
  return data.subarray(4, 4 + nameLength).toString('utf8');
}

export function greeting(): Buffer {
  const b = Buffer.alloc(18);
  b.writeBigUInt64BE(NBDMAGIC, 0);
  b.writeBigUInt64BE(IHAVEOPT, 8);
  b.writeUInt16BE(HANDSHAKE_FLAGS.fixedNewstyle | HANDSHAKE_FLAGS.noZeroes, 16);
  return b;
}

export function optionReply(option: number, type: number, data: Buffer = Buffer.alloc(0)): Buffer {
  const b = Buffer.alloc(20);
  b.writeBigUInt64BE(OPTION_REPLY_MAGIC, 0);
  b.writeUInt32BE(option, 8);
  b.writeUInt32BE(type, 12);
  b.writeUInt32BE(data.length, 16);
  return Buffer.concat([b, data]);
}

/** `NBD_INFO_EXPORT`: the size and the transmission flags. */
export function exportInfo(size: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16BE(0, 0);
  b.writeBigUInt64BE(BigInt(size), 2);
  b.writeUInt16BE(EXPORT_FLAGS, 10);
  return b;
}

/** `NBD_INFO_BLOCK_SIZE`: any alignment, 4 KiB preferred, MAX_READ at most. */
export function blockSizeInfo(): Buffer {
  const b = Buffer.alloc(14);
  b.writeUInt16BE(3, 0);
  b.writeUInt32BE(1, 2);
  b.writeUInt32BE(4096, 6);
  b.writeUInt32BE(MAX_READ, 10);
  return b;
}

/** The old `NBD_OPT_EXPORT_NAME`'s answer: size and flags (no zeroes: both sides said so). */
export function exportNameReply(size: number, zeroes: boolean): Buffer {
  const b = Buffer.alloc(10 + (zeroes ? 124 : 0));
  b.writeBigUInt64BE(BigInt(size), 0);
  b.writeUInt16BE(EXPORT_FLAGS, 8);
  return b;
}

export function simpleReply(error: number, handle: Buffer): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32BE(SIMPLE_REPLY_MAGIC, 0);
  b.writeUInt32BE(error, 4);
  handle.copy(b, 8);
  return b;
}
