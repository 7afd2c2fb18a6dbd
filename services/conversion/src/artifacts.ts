import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Artifact } from '@ferry/contracts';

const MANIFEST = 'manifest.json';

/** SHA-256 of a file, read through one reused buffer: constant memory and no garbage, whatever its size. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(1024 * 1024);
  const fh = await open(path, 'r');
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}

/** Bytes a file really occupies on disk (a sparse qcow2 is much smaller than its virtual size). */
export const allocatedSize = async (path: string) => (await stat(path)).blocks * 512;

/** The job's manifest: the artifacts completed so far, each with its checksum. */
export async function readManifest(dir: string): Promise<Artifact[]> {
  try {
    return (JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')) as { artifacts: Artifact[] })
      .artifacts;
  } catch {
    return [];
  }
}

export async function writeManifest(dir: string, artifacts: readonly Artifact[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${MANIFEST}.tmp`), `${JSON.stringify({ artifacts }, null, 2)}\n`);
  await rename(join(dir, `${MANIFEST}.tmp`), join(dir, MANIFEST));
}

/** An artifact a retry can reuse: its file is there with the size and checksum the manifest recorded. */
export async function isIntact(artifact: Artifact): Promise<boolean> {
  try {
    if ((await allocatedSize(artifact.path)) !== artifact.allocatedSize) return false;
    return (await sha256File(artifact.path)) === artifact.sha256;
  } catch {
    return false;
  }
}
