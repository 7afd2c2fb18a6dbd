import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { emptyVmdk } from '@ferry/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { streamSource } from './streamable.ts';

const dir = mkdtempSync(join(tmpdir(), 'ferry-streamable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const disk = { datastore: 'ds1', path: 'web01/web01.vmdk' };

/** A datastore file as the stream reads it: its size, and its bytes by range. */
const fileOf = (bytes: Uint8Array) =>
  [bytes.byteLength, async (start: number, end: number) => bytes.subarray(start, end + 1)] as const;

/** The top file of a VMDK of `subformat` that qemu-img makes. */
function vmdk(subformat: string): Uint8Array {
  const path = join(dir, `${subformat}.vmdk`);
  emptyVmdk(path, '8M', subformat);
  return readFileSync(path);
}

const descriptor = (extents: string, extra = '') =>
  new TextEncoder().encode(
    `# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType="vmfs"\n${extents}\n${extra}`,
  );

describe('which datastore disks stream into qemu-img', () => {
  it("ESXi's layout, a flat extent behind a text descriptor: its extent, read as raw", async () => {
    expect(
      await streamSource(disk, ...fileOf(descriptor('RW 16384 VMFS "web01-flat.vmdk"'))),
    ).toEqual({ file: { datastore: 'ds1', path: 'web01/web01-flat.vmdk' }, format: 'raw' });
    expect(await streamSource(disk, ...fileOf(vmdk('monolithicFlat')))).toMatchObject({
      format: 'raw',
    });
  });

  it('a sparse VMDK holding its own descriptor: the file itself, read as vmdk', async () => {
    for (const subformat of ['monolithicSparse', 'streamOptimized']) {
      const bytes = vmdk(subformat);
      const named = { datastore: 'ds1', path: `web01/${subformat}.vmdk` };
      expect(await streamSource(named, ...fileOf(bytes))).toEqual({ file: named, format: 'vmdk' });
    }
  });

  it('split extents, a snapshot (a parent), or an extent at an offset: copied first', async () => {
    for (const bytes of [
      vmdk('twoGbMaxExtentSparse'),
      descriptor('RW 8192 FLAT "a-f001.vmdk" 0\nRW 8192 FLAT "a-f002.vmdk" 0'),
      descriptor('RW 16384 VMFSSPARSE "web01-delta.vmdk"', 'parentFileNameHint="base.vmdk"'),
      descriptor('RW 16384 FLAT "web01-flat.vmdk" 128'),
    ])
      expect(await streamSource(disk, ...fileOf(bytes))).toBeUndefined();
  });

  it('whatever bytes a datastore holds, the answer is a source or none, never a throw', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 4096 }),
          // A sparse header's magic, then anything: sizes and offsets no disk has.
          fc
            .uint8Array({ maxLength: 4096 })
            .map((b) => Uint8Array.of(0x4b, 0x44, 0x4d, 0x56, ...b)),
        ),
        async (bytes) => {
          const found = await streamSource(disk, ...fileOf(bytes));
          expect(found === undefined || found.file.datastore === 'ds1').toBe(true);
        },
      ),
    );
  });
});
