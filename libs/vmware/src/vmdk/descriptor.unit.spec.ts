import { describe, expect, it } from 'vitest';
import { parseDescriptor } from './descriptor.ts';

describe('parseDescriptor', () => {
  it('reads a split sparse disk with its extents', () => {
    const d = parseDescriptor(`# Disk DescriptorFile
version=1
CID=fffffffe
parentCID=ffffffff
createType="twoGbMaxExtentSparse"

# Extent description
RW 4192256 SPARSE "web-s001.vmdk"
RW 4192256 SPARSE "web-s002.vmdk"
RW 2048 SPARSE "web-s003.vmdk"

# The Disk Data Base
#DDB
ddb.adapterType = "lsilogic"
`);
    expect(d).toMatchObject({
      createType: 'twoGbMaxExtentSparse',
      cid: 'fffffffe',
      parentCid: undefined,
      parentFileNameHint: undefined,
      adapterType: 'lsilogic',
    });
    expect(d.extents.map((e) => [e.type, e.sectors, e.file])).toEqual([
      ['SPARSE', 4192256, 'web-s001.vmdk'],
      ['SPARSE', 4192256, 'web-s002.vmdk'],
      ['SPARSE', 2048, 'web-s003.vmdk'],
    ]);
  });

  it("reads a snapshot delta with its parent, a flat extent's offset, and ESXi formats", () => {
    const delta = parseDescriptor(
      '# Disk DescriptorFile\nCID=7ec87f0\nparentCID=37e9171c\ncreateType="monolithicSparse"\nparentFileNameHint="base.vmdk"\nRW 131072 SPARSE "delta.vmdk"\n',
    );
    expect(delta).toMatchObject({ parentCid: '37e9171c', parentFileNameHint: 'base.vmdk' });
    expect(
      parseDescriptor('createType="monolithicFlat"\nRW 100 FLAT "x-flat.vmdk" 10\n').extents[0],
    ).toMatchObject({ type: 'FLAT', offset: 10 });
    expect(parseDescriptor('createType="vmfs"\nRW 100 VMFS "x-flat.vmdk"\n').createType).toBe(
      'vmfs',
    );
    expect(parseDescriptor('createType="somethingNew"\nRW 1 ZERO\n')).toMatchObject({
      createType: 'other',
      rawCreateType: 'somethingNew',
    });
  });

  it('refuses text that is not a descriptor, or one without extents', () => {
    expect(() => parseDescriptor('hello world')).toThrow('not a VMDK descriptor');
    expect(() => parseDescriptor('# Disk DescriptorFile\ncreateType="monolithicFlat"\n')).toThrow(
      'descriptor lists no extent',
    );
    expect(() => parseDescriptor('# Disk DescriptorFile\nRW 1 FLAT "x"\n')).toThrow(
      'descriptor has no createType',
    );
  });
});
