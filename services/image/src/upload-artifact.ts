import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Artifact } from '@ferry/contracts';
import { jobTag, onlyOne, OpenStackError, type Glance, type GlanceImage } from '@ferry/openstack';
import { StageError } from '@ferry/stages';
import { hashedFileBody } from './file-chunks.ts';

/** What an upload needs of its service: Glance, and how long it may take. */
export interface UploadTarget {
  readonly glance: Glance;
  /** How long an uploaded image may take to become active. */
  readonly activeTimeoutMs: number;
  /** The slowest an upload may go (bytes per second), and how long its answer may take besides. */
  readonly minBytesPerSecond: number;
  readonly requestTimeoutMs: number;
  readonly pollMs?: number;
}

/**
 * Creates the disk's image, then looks again: any other image of that disk carrying the job's
 * marks (one a lapsed holder made meanwhile) is deleted, so one disk never has two images.
 */
export async function createOnce(
  deps: UploadTarget,
  jobId: string,
  artifact: Artifact,
  image: Parameters<Glance['create']>[0],
): Promise<GlanceImage> {
  return onlyOne(
    await deps.glance.create(image),
    async () =>
      (await deps.glance.list({ tag: jobTag(jobId) })).filter(
        (other) => other.ferry_disk_index === String(artifact.diskIndex),
      ),
    (id) => deps.glance.delete(id),
  );
}

/** Streams the artifact into the image, waits until it is active, and checks Glance hashed what was sent. */
export async function uploadArtifact(
  deps: UploadTarget,
  image: GlanceImage,
  artifact: Artifact,
  signal: AbortSignal,
  progress: () => void,
): Promise<GlanceImage> {
  const size = (await stat(artifact.path)).size;
  const body = hashedFileBody(artifact.path, 'sha512', progress);
  // A deadline in proportion to the size: a peer that stops reading never holds the upload forever.
  const uploadMs = deps.requestTimeoutMs + Math.ceil((size / deps.minBytesPerSecond) * 1000);
  const tooLong = AbortSignal.timeout(uploadMs);
  try {
    await deps.glance.upload(image.id, body.chunks, size, AbortSignal.any([signal, tooLong]));
  } catch (error) {
    // No answer to the upload (the connection stalled, or the answer never came): the upload's own
    // failure, not the cloud's outage, or a stuck upload would be tried again and again.
    if (error instanceof OpenStackError && error.status === 0 && !signal.aborted)
      throw new StageError(
        'timeout',
        `Glance did not take the upload of disk ${artifact.diskIndex}: ${error.message}`,
        true,
      );
    if (!tooLong.aborted || signal.aborted) throw error;
    throw new StageError(
      'timeout',
      `the upload of disk ${artifact.diskIndex} (${size} bytes) was not done within ${Math.round(uploadMs / 1000)} s: stopped`,
      true,
    );
  }
  const sent = body.digest();
  const deadline = Date.now() + deps.activeTimeoutMs;
  for (;;) {
    const now = await deps.glance.get(image.id);
    if (!now)
      throw new StageError(
        'image-vanished',
        `image ${image.id} disappeared from Glance during the upload`,
        true,
      );
    if (now.status === 'active') {
      // Glance hashes with its configured algorithm: sha512 unless the cloud chose another.
      const sentDigest =
        now.os_hash_algo === body.algorithm || !now.os_hash_algo
          ? sent.digest
          : await hashFile(artifact.path, now.os_hash_algo);
      if ((now.os_hash_value && now.os_hash_value !== sentDigest) || now.size !== sent.bytes) {
        await deps.glance.delete(image.id);
        throw new StageError(
          'checksum-mismatch',
          `Glance holds other bytes than were sent for image ${image.id} (${now.size} bytes, ${now.os_hash_algo} ${now.os_hash_value}; sent ${sent.bytes}, ${sentDigest}): deleted it`,
          true,
        );
      }
      return now;
    }
    if (now.status === 'killed' || now.status === 'deleted')
      throw new StageError(
        'image-failed',
        `Glance marked image ${image.id} ${now.status} after the upload`,
        true,
      );
    if (Date.now() > deadline)
      throw new StageError(
        'timeout',
        `image ${image.id} is still ${now.status} ${Math.round(deps.activeTimeoutMs / 1000)} s after its upload`,
        true,
      );
    progress();
    await sleep(deps.pollMs ?? 500, undefined, { signal });
  }
}

/** A file's digest with another algorithm (a cloud whose Glance does not hash with sha512). */
async function hashFile(path: string, algorithm: string): Promise<string> {
  const body = hashedFileBody(path, algorithm);
  for await (const chunk of body.chunks()) void chunk;
  return body.digest().digest;
}
