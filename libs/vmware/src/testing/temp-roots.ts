import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { Roots } from '../workstation/roots.ts';

/**
 * A temporary folder as the only root for a file's tests, removed after them. `dir()` gives a new
 * empty folder in it, so that no case sees another's files.
 */
export function tempRoots(prefix: string) {
  const base = mkdtempSync(join(tmpdir(), prefix));
  let roots: Roots | undefined;
  let cases = 0;
  beforeAll(async () => {
    roots = await Roots.of([base]);
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));
  const real = () => {
    if (!roots) throw new Error('tempRoots is read before its beforeAll ran');
    return roots;
  };
  return {
    get roots() {
      return real();
    },
    /** The root's real path. */
    get path() {
      return real().paths[0] as string;
    },
    dir() {
      const dir = join(real().paths[0] as string, String(cases++));
      mkdirSync(dir);
      return dir;
    },
  };
}
