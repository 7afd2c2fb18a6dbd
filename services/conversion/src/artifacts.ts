import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Artifact } from '@ferry/contracts';
import { ConversionError, qemuImgCheck, qemuImgInfo } from '@ferry/converters';
import type { ConversionPlan, DiskPlan } from './strategies.ts';

const MANIFEST = 'manifest.json';

const CHUNK = 4 * 1024 * 1024;

/**
 * SHA-256 of a file through two reused buffers: the next chunk is read while this one is hashed,
 * so the hash runs at the CPU's speed, in constant memory whatever the file's size.
 */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  let [full, spare] = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
  const fh = await open(path, 'r');
  try {
    let reading = fh.read(full, 0, CHUNK, null);
    for (;;) {
      const { bytesRead } = await reading;
      if (bytesRead === 0) break;
      reading = fh.read(spare, 0, CHUNK, null);
      hash.update(full.subarray(0, bytesRead));
      [full, spare] = [spare, full];
    }
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}

/** Waits until a file's data is on disk: an artifact is recorded as converted only once it would survive a power cut. */
export async function syncFile(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
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
  await syncFile(join(dir, `${MANIFEST}.tmp`));
  await rename(join(dir, `${MANIFEST}.tmp`), join(dir, MANIFEST));
  await syncFile(dir);
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

/** The artifacts of a retry's manifest that it can reuse: this job's disks, still intact. */
export async function intactArtifacts(
  dir: string,
  disks: readonly DiskPlan[],
): Promise<Artifact[]> {
  const intact: Artifact[] = [];
  for (const a of await readManifest(dir))
    if (
      disks.some((d) => d.diskIndex === a.diskIndex && d.target === a.path) &&
      (await isIntact(a))
    )
      intact.push(a);
  return intact;
}

/**
 * Checks a converted disk and records what a retry needs to trust it: sizes and sha256. The hash
 * (CPU, reading the page cache) runs while the disk writes the image out (fsync), so on a real
 * disk it costs next to nothing.
 */
export async function describeArtifact(
  disk: DiskPlan,
  plan: ConversionPlan,
  signal: AbortSignal,
): Promise<Artifact> {
  const [check, info, sha256] = await Promise.all([
    qemuImgCheck(disk.target, 'qcow2', signal),
    qemuImgInfo(disk.target, 'qcow2'),
    sha256File(disk.target),
    syncFile(disk.target),
  ]);
  if (check.exitCode !== 0) {
    throw new ConversionError(
      'tool-failed',
      `the converted image of disk ${disk.diskIndex} fails qemu-img check (${check.corruptions} corruptions, ${check.leaks} leaks)`,
      plan.commands[0] ?? [],
    );
  }
  return {
    diskIndex: disk.diskIndex,
    path: disk.target,
    format: 'qcow2',
    virtualSize: info.virtualSize,
    allocatedSize: await allocatedSize(disk.target),
    sha256,
  };
}
