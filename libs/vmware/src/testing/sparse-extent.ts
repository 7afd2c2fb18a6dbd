import { SECTOR } from '../vmdk/sparse-header.ts';

export interface SparseLayout {
  /** In sectors, as every size here. */
  readonly capacity: number;
  readonly grainSize: number;
  readonly numGTEsPerGT: number;
  /** The grains holding data, by index; the others are left unallocated. */
  readonly allocated: readonly number[];
  /** Embedded after the header, as in a monolithicSparse disk. */
  readonly descriptor: string;
}

/** Where each header field is, and how wide: what a test changes to make a header lie. */
export const HEADER_FIELDS = {
  capacity: [12, 8],
  grainSize: [20, 8],
  descriptorOffset: [28, 8],
  descriptorSize: [36, 8],
  numGTEsPerGT: [44, 4],
  gdOffset: [56, 8],
  compressAlgorithm: [77, 2],
} as const;

/** Values a header field may lie with: none, one, the largest of every width, past exact numbers. */
export const LIES = [
  0n,
  1n,
  511n,
  2n ** 16n - 1n,
  2n ** 32n - 1n,
  2n ** 53n + 1n,
  2n ** 63n,
  2n ** 64n - 1n,
];

/** Writes `value` into a header field, as many bytes of it as the field is wide. */
export function setField(bytes: Uint8Array, [at, width]: readonly [number, number], value: bigint) {
  for (let i = 0; i < width; i++) bytes[at + i] = Number((value >> BigInt(8 * i)) & 0xffn);
}

/**
 * A hosted sparse extent as VMware lays one out: header, descriptor, grain directory, every grain
 * table, then the allocated grains in order. Returns its bytes and where the directory is.
 */
export function sparseExtent(layout: SparseLayout): { bytes: Uint8Array; gdAt: number } {
  const { capacity, grainSize, numGTEsPerGT, allocated } = layout;
  const sectorsOf = (bytes: number) => Math.ceil(bytes / SECTOR);
  const descriptor = new TextEncoder().encode(layout.descriptor);
  const tables = Math.ceil(Math.ceil(capacity / grainSize) / numGTEsPerGT);
  const gdAt = 1 + sectorsOf(descriptor.byteLength);
  const gtAt = gdAt + sectorsOf(tables * 4);
  const gtSectors = sectorsOf(numGTEsPerGT * 4);
  const grainsAt = gtAt + tables * gtSectors;
  const bytes = new Uint8Array((grainsAt + allocated.length * grainSize) * SECTOR);
  const view = new DataView(bytes.buffer);
  const u64 = (at: number, n: number) => view.setBigUint64(at, BigInt(n), true);
  view.setUint32(0, 0x564d444b, true);
  view.setUint32(4, 1, true);
  view.setUint32(8, 1, true);
  u64(HEADER_FIELDS.capacity[0], capacity);
  u64(HEADER_FIELDS.grainSize[0], grainSize);
  u64(HEADER_FIELDS.descriptorOffset[0], 1);
  u64(HEADER_FIELDS.descriptorSize[0], gdAt - 1);
  view.setUint32(HEADER_FIELDS.numGTEsPerGT[0], numGTEsPerGT, true);
  u64(HEADER_FIELDS.gdOffset[0], gdAt);
  u64(64, grainsAt); // overHead
  bytes.set([0x0a, 0x20, 0x0d, 0x0a], 73); // the newline detection characters
  bytes.set(descriptor, SECTOR);
  for (let t = 0; t < tables; t++)
    view.setUint32(gdAt * SECTOR + t * 4, gtAt + t * gtSectors, true);
  for (const [n, grain] of allocated.entries()) {
    const entry = (gtAt + Math.floor(grain / numGTEsPerGT) * gtSectors) * SECTOR;
    view.setUint32(entry + (grain % numGTEsPerGT) * 4, grainsAt + n * grainSize, true);
    bytes.fill(
      0xab,
      (grainsAt + n * grainSize) * SECTOR,
      (grainsAt + (n + 1) * grainSize) * SECTOR,
    );
  }
  return { bytes, gdAt };
}
