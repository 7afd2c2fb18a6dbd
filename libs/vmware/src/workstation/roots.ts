import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';

/** A path that would leave the configured roots (through `..` or a symlink): never opened. */
export class OutsideRootsError extends Error {
  readonly path: string;
  constructor(path: string) {
    super(`${path} is outside the configured Workstation folders`);
    this.name = 'OutsideRootsError';
    this.path = path;
  }
}

/** The folders discovery may read (VMWARE_WORKSTATION_PATHS); every path is checked against them, links resolved. */
export class Roots {
  readonly paths: readonly string[];
  private constructor(paths: readonly string[]) {
    this.paths = paths;
  }

  static async of(paths: readonly string[]): Promise<Roots> {
    return new Roots(await Promise.all(paths.map((p) => realpath(resolve(p)))));
  }

  /** The real path of `path` (links followed), if it lies inside a root; else OutsideRootsError. */
  async confine(path: string): Promise<string> {
    const real = await realpath(path);
    if (!this.contains(real)) throw new OutsideRootsError(path);
    return real;
  }

  /** The root a real path lies in. */
  rootOf(real: string): string | undefined {
    return this.paths.find((root) => inside(root, real));
  }

  contains(real: string): boolean {
    return this.rootOf(real) !== undefined;
  }
}

const inside = (root: string, path: string) => {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
};
