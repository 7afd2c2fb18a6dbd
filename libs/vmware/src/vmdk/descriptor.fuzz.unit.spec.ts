import { VMDK_SUBFORMATS } from '@ferry/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutated } from '../testing/mutations.ts';
import { readOrRefuse } from '../testing/refusals.ts';
import { parseDescriptor } from './descriptor.ts';

const TYPES = ['FLAT', 'SPARSE', 'ZERO', 'VMFS', 'VMFSSPARSE', 'SESPARSE', 'VMFSRDM', 'VMFSRAW'];
const number = fc.oneof(
  fc.nat().map(String),
  fc.constantFrom('0', '-1', '1.5', '2147483648', '18014398509481984', '9'.repeat(40)),
);
const extent = fc.record({
  access: fc.constantFrom('RW', 'RDONLY', 'NOACCESS', 'rw', 'XX'),
  sectors: number,
  type: fc.constantFrom(...TYPES, 'sparse', 'BOGUS'),
  file: fc.option(fc.string({ unit: 'grapheme', maxLength: 12 })),
  offset: fc.option(number),
});
const field = fc.tuple(
  fc.constantFrom('createType', 'CID', 'parentCID', 'parentFileNameHint', 'ddb.adapterType', 'x'),
  fc.oneof(fc.constantFrom(...VMDK_SUBFORMATS, 'ffffffff', '"', ''), fc.string({ maxLength: 12 })),
);
const line = fc.oneof(
  extent.map(
    (e) =>
      `${e.access} ${e.sectors} ${e.type}` +
      (e.file === null ? '' : ` "${e.file}"${e.offset === null ? '' : ` ${e.offset}`}`),
  ),
  field.map(([k, v]) => `${k}="${v}"`),
  fc.constantFrom('# Disk DescriptorFile', '#DDB', '', 'version=1', '='),
);
const descriptorText = fc
  .tuple(fc.array(line, { maxLength: 16 }), fc.constantFrom('\n', '\r\n'))
  .map(([lines, newline]) => lines.join(newline));

/** What a descriptor it accepts must be: extents whose sizes are exact byte counts. */
function expectWellFormed(d: ReturnType<typeof parseDescriptor>) {
  expect(d.extents.length).toBeGreaterThan(0);
  expect(VMDK_SUBFORMATS).toContain(d.createType);
  for (const e of d.extents) {
    expect(Number.isSafeInteger((e.sectors + e.offset) * 512)).toBe(true);
    expect(TYPES).toContain(e.type);
  }
  expect(Number.isSafeInteger(d.extents.reduce((n, e) => n + e.sectors, 0) * 512)).toBe(true);
}

describe('parseDescriptor: a descriptor is outside data', () => {
  it('reads or refuses any text, saying why', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 512 }), (text) => {
        const d = readOrRefuse(() => parseDescriptor(text), Error);
        if (d) expectWellFormed(d);
      }),
      { numRuns: 3000 },
    );
  });

  it('reads or refuses near-descriptors, their bytes edited, with sizes that are sizes', () => {
    const bytes = mutated(descriptorText.map((t) => new TextEncoder().encode(t)));
    fc.assert(
      fc.property(bytes, (b) => {
        const d = readOrRefuse(() => parseDescriptor(new TextDecoder().decode(b)), Error);
        if (d) expectWellFormed(d);
      }),
      { numRuns: 3000 },
    );
  });

  it('reads what a descriptor says, however long the NUL padding after it', () => {
    const written = fc.record({
      createType: fc.constantFrom(...VMDK_SUBFORMATS),
      cid: fc.stringMatching(/^[0-9a-f]{8}$/),
      hint: fc.option(fc.stringMatching(/^[\w. -]{1,16}$/)),
      extents: fc.array(
        fc.record({
          sectors: fc.nat(2 ** 32),
          type: fc.constantFrom('FLAT', 'SPARSE', 'VMFS'),
          file: fc.stringMatching(/^[\w. -]{1,16}$/),
          offset: fc.nat(2 ** 32),
        }),
        { minLength: 1, maxLength: 8 },
      ),
      // Padding, then what follows it in the sector: never read.
      padding: fc.nat(64 * 1024),
      after: fc.string({ maxLength: 16 }),
    });
    fc.assert(
      fc.property(written, (w) => {
        const text = [
          '# Disk DescriptorFile',
          `CID=${w.cid}`,
          `createType="${w.createType}"`,
          ...(w.hint === null ? [] : [`parentCID=0000abcd`, `parentFileNameHint="${w.hint}"`]),
          ...w.extents.map((e) => `RW ${e.sectors} ${e.type} "${e.file}" ${e.offset}`),
          '',
        ].join('\n');
        const d = parseDescriptor(text + '\0'.repeat(w.padding) + (w.padding ? w.after : ''));
        expect(d).toEqual({
          createType: w.createType,
          rawCreateType: w.createType,
          cid: w.cid,
          parentCid: w.hint === null ? undefined : '0000abcd',
          parentFileNameHint: w.hint ?? undefined,
          extents: w.extents.map((e) => ({ access: 'RW', ...e })),
          adapterType: undefined,
        });
      }),
      { numRuns: 2000 },
    );
  });
});
