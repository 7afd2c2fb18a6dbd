import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutated } from '../testing/mutations.ts';
import { expectRefusal } from '../testing/refusals.ts';
import { HEADER_FIELDS, LIES, setField, sparseExtent } from '../testing/sparse-extent.ts';
import { tempRoots } from '../testing/temp-roots.ts';
import { DiskProblem, inspectDisk } from './inspect-disk.ts';

const tmp = tempRoots('ferry-sparse-fuzz-');

const layout = fc
  .record({
    // Few grain tables: inspectDisk reads each with a call of its own.
    capacity: fc.integer({ min: 1, max: 1024 }),
    grainSize: fc.constantFrom(8, 16),
    numGTEsPerGT: fc.constantFrom(16, 512),
  })
  .chain((l) =>
    fc
      .uniqueArray(fc.nat(Math.ceil(l.capacity / l.grainSize) - 1), { maxLength: 12 })
      .map((allocated) => ({
        ...l,
        allocated,
        descriptor: `# Disk DescriptorFile\nCID=12345678\nparentCID=ffffffff\ncreateType="monolithicSparse"\nRW ${l.capacity} SPARSE "disk.vmdk"\n`,
      })),
  );
const u32 = fc.oneof(fc.constantFrom(0, 1, 2, 0xffffffff), fc.integer({ min: 0, max: 0xffffffff }));
// Lies in the header, and grain directory or table entries pointing anywhere.
const lyingExtent = fc
  .tuple(
    layout,
    fc.array(fc.tuple(fc.constantFrom(...Object.values(HEADER_FIELDS)), fc.constantFrom(...LIES)), {
      maxLength: 2,
    }),
    fc.array(fc.tuple(fc.nat(), u32), { maxLength: 3 }),
  )
  .map(([l, lies, entries]) => {
    const { bytes, gdAt } = sparseExtent(l);
    for (const [field, value] of lies) setField(bytes, field, value);
    const view = new DataView(bytes.buffer);
    const words = Math.floor((bytes.byteLength - gdAt * 512) / 4);
    for (const [at, value] of entries) view.setUint32(gdAt * 512 + (at % words) * 4, value, true);
    return bytes;
  });

describe('inspectDisk: a sparse extent is outside data', () => {
  it('passes a sound extent, and names as truncated one cut anywhere into its grains', async () => {
    await fc.assert(
      fc.asyncProperty(layout, fc.nat(), async (l, cut) => {
        const { bytes } = sparseExtent(l);
        const file = join(tmp.path, 'disk.vmdk');
        writeFileSync(file, bytes);
        expect((await inspectDisk(tmp.roots, file)).capacityBytes).toBe(l.capacity * 512);
        if (l.allocated.length === 0) return;
        const dataFrom = bytes.byteLength - l.allocated.length * l.grainSize * 512;
        writeFileSync(file, bytes.subarray(0, dataFrom + (cut % (bytes.byteLength - dataFrom))));
        await expect(inspectDisk(tmp.roots, file)).rejects.toThrow(/extent is truncated/);
      }),
      { numRuns: 500 },
    );
  });

  it('passes or refuses, saying why, an extent whose header or tables lie, or whose bytes are edited', async () => {
    const extents = fc.oneof(lyingExtent, mutated(layout.map((l) => sparseExtent(l).bytes)));
    await fc.assert(
      fc.asyncProperty(extents, async (bytes) => {
        const file = join(tmp.path, 'disk.vmdk');
        writeFileSync(file, bytes);
        const inspected = await inspectDisk(tmp.roots, file).catch((e) =>
          expectRefusal(e, DiskProblem),
        );
        if (inspected) expect(Number.isSafeInteger(inspected.capacityBytes)).toBe(true);
      }),
      { numRuns: 800 },
    );
  });
});
