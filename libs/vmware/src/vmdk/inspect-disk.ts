import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { OutsideRootsError, type Roots } from '../workstation/roots.ts';
import { parseDescriptor, type Descriptor, type Extent, type Subformat } from './descriptor.ts';
import { isSparseMagic, parseSparseHeader, SECTOR, type SparseHeader } from './sparse-header.ts';

/** Why a disk cannot be migrated as it is: missing, truncated, outside the roots, a broken chain. */
export class DiskProblem extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'DiskProblem';
    this.path = path;
  }
}

export interface DiskLink {
  /** Real path of the link's descriptor (or of the monolithic file holding it). */
  readonly path: string;
  readonly subformat: Subformat;
  readonly capacityBytes: number;
  /** Every file of this link: descriptor and extents. */
  readonly files: readonly string[];
}

export interface DiskInspection {
  readonly subformat: Subformat;
  readonly capacityBytes: number;
  /** The disk as the VM uses it first, then its parents down to the base. */
  readonly chain: readonly DiskLink[];
}

const MAX_DESCRIPTOR_BYTES = 1024 * 1024;
const MAX_CHAIN = 64;

/**
 * Reads a VMDK and its snapshot parents, checking every extent exists inside the roots and holds
 * what its descriptor and allocation tables say — a truncated extent would otherwise convert
 * "successfully" into silent zeros. Only reads; never writes.
 */
export async function inspectDisk(roots: Roots, path: string): Promise<DiskInspection> {
  const chain: DiskLink[] = [];
  let next: string | undefined = path;
  let childParentCid: string | undefined;
  while (next !== undefined) {
    if (chain.length === MAX_CHAIN)
      throw new DiskProblem(path, `snapshot chain longer than ${MAX_CHAIN}`);
    const real = await confine(roots, next);
    if (chain.some((l) => l.path === real))
      throw new DiskProblem(path, `snapshot chain loops back to ${real}`);
    const { descriptor, files } = await readLink(roots, real);
    if (
      childParentCid !== undefined &&
      descriptor.cid !== undefined &&
      descriptor.cid.toLowerCase() !== childParentCid.toLowerCase()
    ) {
      throw new DiskProblem(
        real,
        `snapshot chain broken: the child expects parent CID ${childParentCid}, this disk is ${descriptor.cid}`,
      );
    }
    const capacityBytes = descriptor.extents.reduce((sum, e) => sum + e.sectors * SECTOR, 0);
    chain.push({ path: real, subformat: descriptor.createType, capacityBytes, files });
    childParentCid = descriptor.parentCid;
    const hint = descriptor.parentFileNameHint;
    if (hint !== undefined && /^[a-z]:[\\/]/i.test(hint))
      throw new DiskProblem(real, `parent ${hint} is a Windows path`);
    next = hint === undefined ? undefined : isAbsolute(hint) ? hint : resolve(dirname(real), hint);
  }
  const top = chain[0] as DiskLink;
  return { subformat: top.subformat, capacityBytes: top.capacityBytes, chain };
}

async function confine(roots: Roots, path: string): Promise<string> {
  try {
    return await roots.confine(path);
  } catch (error) {
    if (error instanceof OutsideRootsError)
      throw new DiskProblem(path, 'outside the configured Workstation folders');
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new DiskProblem(path, 'file is missing');
    throw new DiskProblem(path, `cannot be read: ${(error as Error).message}`);
  }
}

/** The descriptor of a VMDK: embedded in a sparse file, or the text file itself. */
export async function readDescriptor(real: string): Promise<Descriptor> {
  return withFile(real, async (fh, size) => {
    const first = await readAt(fh, 0, Math.min(size, SECTOR));
    if (isSparseMagic(first)) {
      const header = parseSparseHeader(first);
      if (header.descriptorOffset <= 0)
        throw new DiskProblem(real, 'is a sparse extent, not a disk descriptor');
      if (header.descriptorOffset * SECTOR >= size)
        throw new DiskProblem(real, 'its embedded descriptor lies past the end of the file');
      const bytes = await readAt(
        fh,
        header.descriptorOffset * SECTOR,
        Math.min(header.descriptorSize * SECTOR, MAX_DESCRIPTOR_BYTES),
      );
      return parse(real, bytes);
    }
    if (size > MAX_DESCRIPTOR_BYTES)
      throw new DiskProblem(real, 'is neither a sparse VMDK nor a descriptor');
    return parse(real, await readAt(fh, 0, size));
  });
}

/** One link of a chain: its descriptor (embedded or text) and every extent, checked. */
async function readLink(
  roots: Roots,
  real: string,
): Promise<{ descriptor: Descriptor; files: string[] }> {
  const descriptor = await readDescriptor(real);
  const files = [real];
  for (const extent of descriptor.extents) {
    if (extent.type === 'ZERO' || extent.file === undefined) continue;
    const file = await confine(roots, resolve(dirname(real), extent.file));
    await checkExtent(file, extent);
    if (!files.includes(file)) files.push(file);
  }
  return { descriptor, files };
}

function parse(real: string, bytes: Uint8Array): Descriptor {
  try {
    return parseDescriptor(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new DiskProblem(real, (error as Error).message);
  }
}

async function checkExtent(file: string, extent: Extent): Promise<void> {
  await withFile(file, async (fh, size) => {
    if (extent.type === 'FLAT' || extent.type === 'VMFS') {
      const needed = (extent.offset + extent.sectors) * SECTOR;
      if (size < needed)
        throw new DiskProblem(
          file,
          `extent is truncated: ${size} bytes, its descriptor needs ${needed}`,
        );
      return;
    }
    if (extent.type !== 'SPARSE') return; // ESXi's own sparse formats: present is all we can check here
    const header = parseSparseHeader(await readAt(fh, 0, SECTOR));
    if (header.capacity !== extent.sectors) {
      throw new DiskProblem(
        file,
        `extent header says ${header.capacity} sectors, the descriptor ${extent.sectors}`,
      );
    }
    const needed = await allocatedEnd(fh, header, size);
    if (size < needed)
      throw new DiskProblem(
        file,
        `extent is truncated: ${size} bytes, its allocation tables point to data up to ${needed}`,
      );
  });
}

/** The end of the last allocated data (grain, or compressed grain with its marker) the tables point to. */
async function allocatedEnd(fh: FileHandle, header: SparseHeader, size: number): Promise<number> {
  let gdOffset = header.gdOffset;
  if (gdOffset < 0) {
    // Grain directory at the end: its offset is in the footer, a copy of the header before the end-of-stream marker.
    if (size < 3 * SECTOR) throw new Error('too short for a footer');
    const footer = await readAt(fh, size - 2 * SECTOR, SECTOR);
    if (!isSparseMagic(footer))
      throw new Error('extent is truncated: the footer locating its grain directory is gone');
    gdOffset = parseSparseHeader(footer).gdOffset;
    if (gdOffset < 0)
      throw new Error('neither header nor footer says where the grain directory is');
  }
  const grains = Math.ceil(header.capacity / header.grainSize);
  const tables = Math.ceil(grains / header.numGTEsPerGT);
  const gdEnd = gdOffset * SECTOR + tables * 4;
  if (gdEnd > size) return gdEnd;
  const gd = await readAt(fh, gdOffset * SECTOR, tables * 4);
  let end = gdEnd;
  let last = 0;
  // No two tables of a sound extent share sectors: reading each place once keeps a directory whose
  // entries all point at one table from costing a pass over it per entry.
  const seen = new Set<number>();
  for (let t = 0; t < tables; t++) {
    const gt = new DataView(gd.buffer, gd.byteOffset).getUint32(t * 4, true);
    if (gt === 0 || seen.has(gt)) continue;
    seen.add(gt);
    const gtEnd = gt * SECTOR + header.numGTEsPerGT * 4;
    if (gtEnd > size) return gtEnd;
    end = Math.max(end, gtEnd);
    const entries = await readAt(fh, gt * SECTOR, header.numGTEsPerGT * 4);
    const view = new DataView(entries.buffer, entries.byteOffset);
    for (let e = 0; e < header.numGTEsPerGT; e++)
      last = Math.max(last, view.getUint32(e * 4, true));
  }
  if (last <= 1) return end; // 0: unallocated, 1: a grain of zeros
  const compressed = header.compressAlgorithm !== 0;
  if (!compressed) return Math.max(end, (last + header.grainSize) * SECTOR);
  // A compressed grain: a marker (u64 sector, u32 size) and then its data.
  if (last * SECTOR + 12 > size) return last * SECTOR + 12;
  const marker = await readAt(fh, last * SECTOR, 12);
  return Math.max(
    end,
    last * SECTOR + 12 + new DataView(marker.buffer, marker.byteOffset).getUint32(8, true),
  );
}

async function withFile<T>(
  path: string,
  fn: (fh: FileHandle, size: number) => Promise<T>,
): Promise<T> {
  let fh: FileHandle;
  try {
    // Not blocking: a FIFO named as a disk would otherwise hold the open until someone writes to it.
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new DiskProblem(
      path,
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'file is missing'
        : `cannot be read: ${(error as Error).message}`,
    );
  }
  try {
    const stat = await fh.stat();
    if (!stat.isFile()) throw new DiskProblem(path, 'is not a regular file');
    return await fn(fh, stat.size);
  } catch (error) {
    if (error instanceof DiskProblem) throw error;
    throw new DiskProblem(path, (error as Error).message);
  } finally {
    await fh.close();
  }
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  const { bytesRead } = await fh.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}
