import { VMDK_SUBFORMATS } from '@ferry/contracts';

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

/** Parses a VMDK text descriptor: header fields, extent lines and the disk database. */
export function parseDescriptor(text: string): Descriptor {
  if (!/^#\s*Disk DescriptorFile/im.test(text) && !/createType\s*=/i.test(text))
    throw new Error('not a VMDK descriptor');
  const fields = new Map<string, string>();
  const extents: Extent[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\0+$/, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const extent = EXTENT.exec(line);
    if (extent) {
      extents.push({
        access: (extent[1] as string).toUpperCase(),
        sectors: Number(extent[2]),
        type: (extent[3] as string).toUpperCase() as Extent['type'],
        file: extent[4],
        offset: Number(extent[5] ?? 0),
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
