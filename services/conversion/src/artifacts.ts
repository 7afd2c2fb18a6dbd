import { mkdir, open, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Artifact } from '@ferry/contracts';
import { ConversionError, qemuImgCheck, qemuImgInfo } from '@ferry/converters';
import type { ConversionPlan, DiskPlan } from './strategies.ts';

const MANIFEST = 'manifest.json';

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
export const allocatedBytes = (file: { readonly blocks: number }) => file.blocks * 512;
export const allocatedSize = async (path: string) => allocatedBytes(await stat(path));

/** The job's manifest: the artifacts completed so far, each as it was written. */
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

/**
 * An artifact a retry can reuse: its file is as the manifest recorded it when it was written (length,
 * mtime, blocks), qcow2 that passes `qemu-img check`, of the same virtual size. Reading the whole
 * file to hash it would cost as much as the conversion saved; the hash is the upload's.
 */
async function isIntact(artifact: Artifact, signal: AbortSignal): Promise<boolean> {
  try {
    const now = await stat(artifact.path);
    if (
      now.size !== artifact.sizeBytes ||
      now.mtimeMs !== artifact.modifiedAtMs ||
      allocatedBytes(now) !== artifact.allocatedSize
    )
      return false;
    const [check, info] = await Promise.all([
      qemuImgCheck(artifact.path, 'qcow2', signal),
      qemuImgInfo(artifact.path, 'qcow2'),
    ]);
    return check.exitCode === 0 && info.virtualSize === artifact.virtualSize;
  } catch {
    return false;
  }
}

/** The artifacts of a retry's manifest that it can reuse: this job's disks, still intact. */
export async function intactArtifacts(
  dir: string,
  disks: readonly DiskPlan[],
  signal: AbortSignal,
): Promise<Artifact[]> {
  const intact: Artifact[] = [];
  for (const a of await readManifest(dir))
    if (
      disks.some((d) => d.diskIndex === a.diskIndex && d.target === a.path) &&
      (await isIntact(a, signal))
    )
      intact.push(a);
  return intact;
}

/**
 * Checks a converted disk and records what a retry needs to trust it: its sizes and mtime. The check
 * (reading the page cache) runs while the disk takes the image (fsync).
 */
export async function describeArtifact(
  disk: DiskPlan,
  plan: ConversionPlan,
  signal: AbortSignal,
): Promise<Artifact> {
  const [check, info] = await Promise.all([
    qemuImgCheck(disk.target, 'qcow2', signal),
    qemuImgInfo(disk.target, 'qcow2'),
    syncFile(disk.target),
  ]);
  if (check.exitCode !== 0) {
    throw new ConversionError(
      'tool-failed',
      `the converted image of disk ${disk.diskIndex} fails qemu-img check (${check.corruptions} corruptions, ${check.leaks} leaks)`,
      plan.commands[0] ?? [],
    );
  }
  const written = await stat(disk.target);
  return {
    diskIndex: disk.diskIndex,
    path: disk.target,
    format: 'qcow2',
    virtualSize: info.virtualSize,
    allocatedSize: allocatedBytes(written),
    sizeBytes: written.size,
    modifiedAtMs: written.mtimeMs,
  };
}
