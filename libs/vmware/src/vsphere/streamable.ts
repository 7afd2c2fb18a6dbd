import { parseDescriptor, type Descriptor } from '../vmdk/descriptor.ts';
import { isSparseMagic, parseSparseHeader, SECTOR } from '../vmdk/sparse-header.ts';
import { besides, type DatastorePath } from './datastore.ts';

/** Where qemu-img reads a disk over HTTP, and as what. */
export interface StreamSource {
  readonly file: DatastorePath;
  readonly format: 'vmdk' | 'raw';
}

// A text descriptor is a few hundred bytes; anything larger is not one.
const MAX_DESCRIPTOR_BYTES = 64 * 1024;

/**
 * Whether qemu-img can read a datastore disk over HTTP, and how: qemu opens a VMDK's extents and
 * parents only as local files, so a disk streams when it is one file — a flat extent behind a text
 * descriptor (ESXi's own layout: read as raw) or a sparse VMDK holding its own descriptor (read as
 * vmdk) — with no parent. Any other layout (split extents, a snapshot chain) is copied first.
 */
export async function streamSource(
  disk: DatastorePath,
  size: number,
  read: (start: number, end: number) => Promise<Uint8Array>,
): Promise<StreamSource | undefined> {
  const first = await read(0, Math.min(size, SECTOR) - 1);
  let descriptor: Descriptor;
  try {
    if (isSparseMagic(first)) {
      const header = parseSparseHeader(first);
      if (header.descriptorOffset <= 0 || header.descriptorSize <= 0) return undefined;
      const start = header.descriptorOffset * SECTOR;
      const length = Math.min(header.descriptorSize * SECTOR, MAX_DESCRIPTOR_BYTES);
      if (start + length > size) return undefined;
      descriptor = parseDescriptor(new TextDecoder().decode(await read(start, start + length - 1)));
      const [extent, ...more] = descriptor.extents;
      return hasParent(descriptor) || more.length > 0 || !extent?.file || extent.type !== 'SPARSE'
        ? undefined
        : samePath(besides(disk, extent.file), disk)
          ? { file: disk, format: 'vmdk' }
          : undefined;
    }
    if (size > MAX_DESCRIPTOR_BYTES) return undefined;
    const text = size <= first.byteLength ? first : await read(0, size - 1);
    descriptor = parseDescriptor(new TextDecoder().decode(text));
  } catch {
    return undefined;
  }
  const [extent, ...more] = descriptor.extents;
  if (hasParent(descriptor) || more.length > 0 || !extent?.file || extent.offset !== 0)
    return undefined;
  return extent.type === 'FLAT' || extent.type === 'VMFS'
    ? { file: besides(disk, extent.file), format: 'raw' }
    : undefined;
}

const hasParent = (d: Descriptor) =>
  d.parentFileNameHint !== undefined || d.parentCid !== undefined;

const samePath = (a: DatastorePath, b: DatastorePath) =>
  a.datastore === b.datastore && a.path === b.path;
