import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Artifact, DiskImage } from '@ferry/contracts';
import { jobTag, onlyOne, OpenStackError, type Glance, type GlanceImage } from '@ferry/openstack';
import { StageError } from '@ferry/stages';
import { hashedFileBody } from './file-chunks.ts';

/** What Glance hashes with unless its cloud configured another (`hashing_algorithm`). */
const GLANCE_DEFAULT_HASH = 'sha512';

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

/**
 * Streams the artifact into the image, hashing it on the way (Glance's algorithm and sha256); waits
 * until the image is active; checks Glance holds what was sent and that it is the bytes already
 * recorded for the artifact, if any; then marks the image with the sha256 (`ferry_sha256`), which is
 * how a retry knows an image is whole. Returns what the job records of the disk's image.
 */
export async function uploadArtifact(
  deps: UploadTarget,
  image: GlanceImage,
  artifact: Artifact,
  signal: AbortSignal,
  progress: () => void,
): Promise<{ image: GlanceImage; disk: DiskImage }> {
  const size = (await stat(artifact.path)).size;
  const body = hashedFileBody(artifact.path, [GLANCE_DEFAULT_HASH, 'sha256'], progress);
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
  const sha256 = sent.digests.get('sha256') as string;
  const active = await activeImage(deps, image, signal, progress);
  // Glance hashes with its configured algorithm: sha512 unless the cloud chose another.
  const algorithm = active.os_hash_algo ?? GLANCE_DEFAULT_HASH;
  const sentDigest =
    sent.digests.get(algorithm) ?? (await hashFile(artifact.path, algorithm, signal));
  if ((active.os_hash_value && active.os_hash_value !== sentDigest) || active.size !== sent.bytes) {
    await deps.glance.delete(image.id);
    throw new StageError(
      'checksum-mismatch',
      `Glance holds other bytes than were sent for image ${image.id} (${active.size} bytes, ${active.os_hash_algo} ${active.os_hash_value}; sent ${sent.bytes}, ${sentDigest}): deleted it`,
      true,
    );
  }
  if (artifact.sha256 !== undefined && artifact.sha256 !== sha256) {
    await deps.glance.delete(image.id);
    throw new StageError(
      'artifact-changed',
      `disk ${artifact.diskIndex}'s artifact (${artifact.path}) now hashes to sha256 ${sha256}, not the ${artifact.sha256} recorded for it: deleted image ${image.id}; convert it again`,
      false,
    );
  }
  await deps.glance.setProperties(image.id, { ferry_sha256: sha256 });
  return {
    image: active,
    disk: {
      diskIndex: artifact.diskIndex,
      imageId: image.id,
      sha256,
      imageHash: `${algorithm}:${active.os_hash_value ?? sentDigest}`,
    },
  };
}

/** The image once Glance made it active; fails when it is killed, vanishes or takes too long. */
async function activeImage(
  deps: UploadTarget,
  image: GlanceImage,
  signal: AbortSignal,
  progress: () => void,
): Promise<GlanceImage> {
  const deadline = Date.now() + deps.activeTimeoutMs;
  for (;;) {
    const now = await deps.glance.get(image.id);
    if (!now)
      throw new StageError(
        'image-vanished',
        `image ${image.id} disappeared from Glance during the upload`,
        true,
      );
    if (now.status === 'active') return now;
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
async function hashFile(path: string, algorithm: string, signal: AbortSignal): Promise<string> {
  const body = hashedFileBody(path, [algorithm]);
  for await (const chunk of body.chunks()) {
    void chunk;
    signal.throwIfAborted();
  }
  return body.digest().digests.get(algorithm) as string;
}
