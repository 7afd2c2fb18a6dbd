import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectRefusal } from '../testing/refusals.ts';
import { tempRoots } from '../testing/temp-roots.ts';
import { DiskProblem, inspectDisk, type DiskInspection } from './inspect-disk.ts';

const tmp = tempRoots('ferry-chain-fuzz-');
const outside = mkdtempSync(join(tmpdir(), 'ferry-chain-outside-'));
beforeAll(() => {
  execFileSync('mkfifo', [join(tmp.path, 'fifo')]);
  writeFileSync(join(outside, 'base.vmdk'), 'createType="monolithicFlat"\nRW 1 ZERO\n');
});
afterAll(() => rmSync(outside, { recursive: true, force: true }));

/** Parents no chain may go on to: how a descriptor names each, and why it is refused. */
const NOWHERE = {
  missing: { hint: () => 'missing.vmdk', refusal: /file is missing/ },
  outside: { hint: () => join(outside, 'base.vmdk'), refusal: /outside the configured/ },
  windows: { hint: () => 'C:\\vms\\base.vmdk', refusal: /is a Windows path/ },
  // The folder an empty name resolves to, and a FIFO, which would hold an open until written to.
  empty: { hint: () => '', refusal: /is not a regular file/ },
  fifo: { hint: () => join(tmp.path, 'fifo'), refusal: /is not a regular file/ },
};
type Nowhere = keyof typeof NOWHERE;

interface Link {
  readonly exists: boolean;
  readonly cid: string;
  /** Another link by position, somewhere no parent can be, or none. */
  readonly parent: number | Nowhere | null;
  /** Its parent's CID, none (ffffffff), or another's. */
  readonly parentCid: 'right' | 'ffffffff' | '0000000d';
}
const link = (n: number): fc.Arbitrary<Link> =>
  fc.record({
    exists: fc.boolean(),
    cid: fc.constantFrom('0000000a', '0000000b', '0000000c'),
    parent: fc.option(
      fc.oneof(fc.nat(n - 1), fc.constantFrom(...(Object.keys(NOWHERE) as Nowhere[]))),
    ),
    parentCid: fc.constantFrom('right', 'ffffffff', '0000000d'),
  });
const chain = fc
  .integer({ min: 1, max: 5 })
  .chain((n) => fc.array(link(n), { minLength: n, maxLength: n }));

const cidOf = (links: readonly Link[], l: Link) =>
  l.parentCid !== 'right'
    ? l.parentCid
    : typeof l.parent === 'number'
      ? (links[l.parent] as Link).cid
      : 'ffffffff';

/** What inspectDisk must make of the chain from link 0: the links it goes through, or why not. */
function expected(links: readonly Link[]): number[] | RegExp {
  const seen: number[] = [];
  let at: number | Nowhere = 0;
  let wantCid = 'ffffffff';
  for (;;) {
    if (typeof at === 'string') return NOWHERE[at].refusal;
    const l = links[at] as Link;
    if (!l.exists) return /file is missing/;
    if (seen.includes(at)) return /loops back/;
    if (wantCid !== 'ffffffff' && wantCid !== l.cid) return /snapshot chain broken/;
    seen.push(at);
    if (l.parent === null) return seen;
    wantCid = cidOf(links, l);
    at = l.parent;
  }
}

describe('inspectDisk: a snapshot chain is outside data', () => {
  it('follows parents to the base, refusing loops, breaks and parents it may not open', async () => {
    await fc.assert(
      fc.asyncProperty(chain, async (links) => {
        const dir = tmp.dir();
        for (const [i, l] of links.entries()) {
          if (!l.exists) continue;
          const parent =
            l.parent === null
              ? ''
              : `parentFileNameHint="${typeof l.parent === 'number' ? `d${l.parent}.vmdk` : NOWHERE[l.parent].hint()}"\n`;
          writeFileSync(
            join(dir, `d${i}.vmdk`),
            `# Disk DescriptorFile\nCID=${l.cid}\nparentCID=${cidOf(links, l)}\ncreateType="monolithicSparse"\n${parent}RW 8 ZERO\n`,
          );
        }
        const want = expected(links);
        const got = await inspectDisk(tmp.roots, join(dir, 'd0.vmdk')).catch((e: unknown) => {
          expectRefusal(e, DiskProblem);
          return e as DiskProblem;
        });
        if (want instanceof RegExp) expect((got as DiskProblem).message).toMatch(want);
        else
          expect((got as DiskInspection).chain.map((c) => c.path)).toEqual(
            want.map((i) => join(dir, `d${i}.vmdk`)),
          );
      }),
      { numRuns: 2000 },
    );
  });
});
