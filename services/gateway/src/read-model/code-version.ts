import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A digest of every file in these folders (the code that folds the projections): a save made by
 * other code may hold views that code would not fold the same way, so it is not taken back.
 */
export async function codeVersion(folders: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const folder of folders) {
    const files = (await readdir(folder, { recursive: true, withFileTypes: true }))
      .filter((f) => f.isFile())
      .map((f) => join(f.parentPath, f.name))
      .sort();
    for (const file of files) hash.update(file.slice(folder.length)).update(await readFile(file));
  }
  return hash.digest('hex').slice(0, 32);
}
