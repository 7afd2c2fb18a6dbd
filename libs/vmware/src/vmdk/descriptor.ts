import { VMDK_SUBFORMATS } from '@ferry/contracts';
import { MAX_SECTORS } from './sparse-header.ts';

export type Subformat = (typeof VMDK_SUBFORMATS)[number];

export interface Extent {
  readonly access: string;
  /** Size in 512-byte sectors. */
  readonly sectors: number;
  readonly type:
    'FLAT' | 'SPARSE' | 'ZERO' | 'VMFS' | 'VMFSSPARSE' | 'SESPARSE' | 'VMFSRDM' | 'VMFSRAW';
  readonly file: string | undefined;
  /** For FLAT extents: where the data starts in the file, in sectors. */
  readonly offset: number;
}

export interface Descriptor {
  readonly createType: Subformat;
  readonly rawCreateType: string;
  readonly cid: string | undefined;
  readonly parentCid: string | undefined;
  readonly parentFileNameHint: string | undefined;
  readonly extents: readonly Extent[];
  readonly adapterType: string | undefined;
}

const EXTENT =
  /^(RW|RDONLY|NOACCESS)\s+(\d+)\s+(FLAT|SPARSE|ZERO|VMFS|VMFSSPARSE|SESPARSE|VMFSRDM|VMFSRAW)(?:\s+"([^"]*)"(?:\s+(\d+))?)?\s*$/i;

/**
 * Parses a VMDK text descriptor: header fields, extent lines and the disk database. It ends at its
 * first NUL, as VMware's and qemu's readers have it: an embedded descriptor is padded with them.
 */
export function parseDescriptor(descriptor: string): Descriptor {
  const nul = descriptor.indexOf('\0');
  const text = nul === -1 ? descriptor : descriptor.slice(0, nul);
  if (!/^#\s*Disk DescriptorFile/im.test(text) && !/createType\s*=/i.test(text))
    throw new Error('not a VMDK descriptor');
  const fields = new Map<string, string>();
  const extents: Extent[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const extent = EXTENT.exec(line);
    if (extent) {
      const sectors = Number(extent[2]);
      const offset = Number(extent[5] ?? 0);
      if (sectors + offset > MAX_SECTORS)
        throw new Error(`extent ${extents.length + 1} reaches past the largest possible disk`);
      extents.push({
        access: (extent[1] as string).toUpperCase(),
        sectors,
        type: (extent[3] as string).toUpperCase() as Extent['type'],
        file: extent[4],
        offset,
      });
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0)
      fields.set(
        line.slice(0, eq).trim().toLowerCase(),
        line
          .slice(eq + 1)
          .trim()
          .replace(/^"(.*)"$/, '$1'),
      );
  }
  const rawCreateType = fields.get('createtype') ?? '';
  if (rawCreateType === '') throw new Error('descriptor has no createType');
  if (extents.length === 0) throw new Error('descriptor lists no extent');
  if (extents.reduce((sum, e) => sum + e.sectors, 0) > MAX_SECTORS)
    throw new Error('extents add up to more than the largest possible disk');
  const known = VMDK_SUBFORMATS.find((f) => f.toLowerCase() === rawCreateType.toLowerCase());
  const parentCid = fields.get('parentcid');
  return {
    createType: known ?? 'other',
    rawCreateType,
    cid: fields.get('cid'),
    parentCid: parentCid === undefined || /^f{8}$/i.test(parentCid) ? undefined : parentCid,
    parentFileNameHint: fields.get('parentfilenamehint'),
    extents,
    adapterType: fields.get('ddb.adaptertype'),
  };
}
