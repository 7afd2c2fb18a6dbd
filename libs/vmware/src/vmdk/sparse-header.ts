/** The header of a hosted sparse extent (VMware's "SparseExtentHeader"), little-endian, 512 bytes. */
export interface SparseHeader {
  readonly version: number;
  readonly flags: number;
  /** In 512-byte sectors, as every size below. */
  readonly capacity: number;
  readonly grainSize: number;
  readonly descriptorOffset: number;
  readonly descriptorSize: number;
  readonly numGTEsPerGT: number;
  readonly gdOffset: number;
  readonly compressAlgorithm: number;
}

export const SECTOR = 512;
const MAGIC = 0x564d444b; // "KDMV"
// streamOptimized writes the grain directory after the grains, and says so with this offset.
export const GD_AT_END = 0xffffffffffffffffn;

export const isSparseMagic = (bytes: Uint8Array) =>
  bytes.byteLength >= 4 &&
  new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true) === MAGIC;

export function parseSparseHeader(bytes: Uint8Array): SparseHeader {
  if (bytes.byteLength < SECTOR || !isSparseMagic(bytes))
    throw new Error('not a VMDK sparse extent (no KDMV header)');
  const v = new DataView(bytes.buffer, bytes.byteOffset, SECTOR);
  const u64 = (at: number) => v.getBigUint64(at, true);
  const num = (at: number) => {
    const n = u64(at);
    return n === GD_AT_END ? -1 : Number(n);
  };
  return {
    version: v.getUint32(4, true),
    flags: v.getUint32(8, true),
    capacity: num(12),
    grainSize: num(20),
    descriptorOffset: num(28),
    descriptorSize: num(36),
    numGTEsPerGT: v.getUint32(44, true),
    gdOffset: num(56),
    compressAlgorithm: v.getUint16(77, true),
  };
}
