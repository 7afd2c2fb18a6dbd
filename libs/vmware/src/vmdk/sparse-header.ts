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
/** The most sectors whose bytes are still counted exactly: no real disk comes near. */
export const MAX_SECTORS = Math.floor(Number.MAX_SAFE_INTEGER / SECTOR);
const MAGIC = 0x564d444b; // "KDMV"
// streamOptimized writes the grain directory after the grains, and says so with this offset.
export const GD_AT_END = 0xffffffffffffffffn;

export const isSparseMagic = (bytes: Uint8Array) =>
  bytes.byteLength >= 4 &&
  new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true) === MAGIC;

/** Reads a header (or a streamOptimized footer), refusing one whose sizes no disk has. */
export function parseSparseHeader(bytes: Uint8Array): SparseHeader {
  if (!isSparseMagic(bytes)) throw new Error('not a VMDK sparse extent (no KDMV header)');
  if (bytes.byteLength < SECTOR)
    throw new Error(`sparse extent header cut short: ${bytes.byteLength} of ${SECTOR} bytes`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, SECTOR);
  const u64 = (at: number) => v.getBigUint64(at, true);
  const num = (at: number) => {
    const n = u64(at);
    return n === GD_AT_END ? -1 : Number(n);
  };
  const header = {
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
  const problem = headerProblem(header);
  if (problem) throw new Error(`sparse extent header ${problem}`);
  return header;
}

const inReach = (n: number) => n >= 0 && n <= MAX_SECTORS;

// qemu's limits (what it would refuse to convert is refused here), and offsets within reach.
function headerProblem(h: SparseHeader): string | undefined {
  if (!inReach(h.capacity)) return 'claims a capacity past the largest possible disk';
  if (h.grainSize < 1 || h.grainSize > 0x200000) return 'has a grain size not of 1 to 2 Mi sectors';
  if (h.numGTEsPerGT < 1 || h.numGTEsPerGT > 512)
    return `has grain tables of ${h.numGTEsPerGT} entries, not 1 to 512`;
  if (!inReach(h.descriptorOffset) || !inReach(h.descriptorSize))
    return 'puts its descriptor past the largest possible disk';
  if (h.gdOffset !== -1 && !inReach(h.gdOffset))
    return 'puts its grain directory past the largest possible disk';
  if (Math.ceil(h.capacity / (h.grainSize * h.numGTEsPerGT)) > 32 * 1024 * 1024)
    return 'has a grain directory larger than 32 Mi entries';
  return undefined;
}
