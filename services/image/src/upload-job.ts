import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Artifact } from '@ferry/contracts';
import { qemuImgCheck } from '@ferry/converters';
import type { CommandContext } from '@ferry/domain';
import { CommandRejectedError } from '@ferry/messaging';
import {
  runStage,
  type Delivery,
  type StageDefinition,
  type StageRun,
  type StageRunnerDeps,
} from '@ferry/stages';
import {
  CloudConfigError,
  FERRY_TAG,
  jobTag,
  OpenStackError,
  type Glance,
  type GlanceImage,
} from '@ferry/openstack';
import { hashedFileBody } from './file-chunks.ts';
import { imageProperties } from './image-properties.ts';

export interface UploadDeps {
  /** What the stage runner needs: the store, NATS, leases, the service's stopping signal. */
  readonly runner: StageRunnerDeps;
  readonly glance: Glance;
  /** How long an uploaded image may take to become active. */
  readonly activeTimeoutMs: number;
  /** The slowest an upload may go (bytes per second), and how long its answer may take besides. */
  readonly minBytesPerSecond: number;
  readonly requestTimeoutMs: number;
  readonly pollMs?: number;
}

/** Why an upload failed, in the words the job's failure event uses. */
export class UploadError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  constructor(code: string, message: string, retryable: boolean) {
    super(message);
    this.name = 'UploadError';
    this.code = code;
    this.retryable = retryable;
  }
}

/** The upload, as the stage runner runs it: leased when it uploads for real. */
export const UPLOAD: StageDefinition = {
  stage: 'upload',
  leased: (job) => job.flags.openstackDeployment,
  failureOf: (error) => asUploadError(error),
};

/**
 * Uploads every artifact of a converted job to Glance, one image per disk, tagged with the job.
 * Each image is recorded on the job before its data is sent, so rollback finds it; a retry reuses
 * an active image holding the same artifact and deletes any other image of that disk (half
 * uploaded, or stale): never two images for one disk. A dry run records what it would do.
 */
export function uploadJob(
  deps: UploadDeps,
  jobId: string,
  context: CommandContext,
  delivery: Delivery,
): Promise<void> {
  return runStage(deps.runner, UPLOAD, jobId, context, delivery, (run) => upload(deps, run));
}

async function upload(deps: UploadDeps, { state, decide, signal, progress }: StageRun) {
  const { job } = state;
  const { jobId } = job;
  const vm = job.vm;
  if (!vm) throw new CommandRejectedError('illegal-state', `job ${jobId} has not been validated`);
  const started = Date.now();
  const artifacts = [...job.artifacts].sort((a, b) => a.diskIndex - b.diskIndex);
  const nameOf = (a: Artifact) =>
    (a.diskIndex === 0 ? vm.name : `${vm.name}-disk${a.diskIndex}`).slice(0, 255);
  let uploading = state.phase === 'UPLOADING';

  if (job.flags.openstackDeployment && artifacts.length === 0)
    throw new UploadError(
      'no-artifacts',
      'there is no converted disk to upload: the conversion was a dry run (ENABLE_REAL_CONVERSION=false); convert for real, or make the deployment a dry run too',
      false,
    );
  if (!job.flags.openstackDeployment) {
    if (!uploading)
      await decide(
        {
          type: 'StartImageUpload',
          data: { imageId: null, imageName: vm.name },
        },
        'start',
      );
    await decide(
      {
        type: 'CompleteImageUpload',
        data: {
          reused: false,
          imageId: null,
          checksum: null,
          sizeBytes: 0,
          durationMs: Date.now() - started,
        },
      },
      'complete',
    );
    return;
  }

  for (const a of artifacts) {
    const check = await qemuImgCheck(a.path, 'qcow2', signal);
    if (check.exitCode !== 0)
      throw new UploadError(
        'artifact-corrupt',
        `the image of disk ${a.diskIndex} (${a.path}) fails qemu-img check (${check.corruptions} corruptions): convert it again`,
        false,
      );
  }
  const existing = await deps.glance.list({ tag: jobTag(jobId) });
  const uploaded: { image: GlanceImage; bytes: number }[] = [];
  let reusedAll = true;
  for (const a of artifacts) {
    progress();
    const ofDisk = existing.filter((i) => i.ferry_disk_index === String(a.diskIndex));
    const keep = ofDisk.find((i) => i.status === 'active' && i.ferry_sha256 === a.sha256);
    for (const other of ofDisk) if (other !== keep) await deps.glance.delete(other.id);
    const image =
      keep ??
      (await createOnce(deps, jobId, a, {
        name: nameOf(a),
        diskFormat: a.format,
        tags: [FERRY_TAG, jobTag(jobId)],
        properties: imageProperties(jobId, vm, a, job.options.strategy === 'virt-v2v'),
      }));
    if (!uploading) {
      await decide(
        {
          type: 'StartImageUpload',
          data: { imageId: image.id, imageName: image.name },
        },
        'start',
      );
      uploading = true;
    } else {
      await decide(
        {
          type: 'RecordResource',
          data: { resource: { kind: 'image', id: image.id, name: image.name } },
        },
        `image:${image.id}`,
      );
    }
    if (keep) {
      uploaded.push({ image: keep, bytes: keep.size ?? 0 });
      continue;
    }
    reusedAll = false;
    uploaded.push({
      image: await uploadArtifact(deps, image, a, signal, progress),
      bytes: (await stat(a.path)).size,
    });
  }
  const boot = uploaded[0] as { image: GlanceImage };
  await decide(
    {
      type: 'CompleteImageUpload',
      data: {
        reused: reusedAll,
        imageId: boot.image.id,
        checksum: boot.image.os_hash_value ?? boot.image.checksum,
        sizeBytes: uploaded.reduce((sum, u) => sum + u.bytes, 0),
        durationMs: Date.now() - started,
      },
    },
    'complete',
  );
}

/**
 * Creates the disk's image, then looks again: any other image of that disk carrying the job's
 * marks (one a lapsed holder made meanwhile) is deleted, so one disk never has two images.
 */
async function createOnce(
  deps: UploadDeps,
  jobId: string,
  artifact: Artifact,
  image: Parameters<Glance['create']>[0],
): Promise<GlanceImage> {
  const created = await deps.glance.create(image);
  for (const other of await deps.glance.list({ tag: jobTag(jobId) }))
    if (other.id !== created.id && other.ferry_disk_index === String(artifact.diskIndex))
      await deps.glance.delete(other.id);
  return created;
}

/** Streams the artifact into the image, waits until it is active, and checks Glance hashed what was sent. */
async function uploadArtifact(
  deps: UploadDeps,
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
      throw new UploadError(
        'timeout',
        `Glance did not take the upload of disk ${artifact.diskIndex}: ${error.message}`,
        true,
      );
    if (!tooLong.aborted || signal.aborted) throw error;
    throw new UploadError(
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
      throw new UploadError(
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
        throw new UploadError(
          'checksum-mismatch',
          `Glance holds other bytes than were sent for image ${image.id} (${now.size} bytes, ${now.os_hash_algo} ${now.os_hash_value}; sent ${sent.bytes}, ${sentDigest}): deleted it`,
          true,
        );
      }
      return now;
    }
    if (now.status === 'killed' || now.status === 'deleted')
      throw new UploadError(
        'image-failed',
        `Glance marked image ${image.id} ${now.status} after the upload`,
        true,
      );
    if (Date.now() > deadline)
      throw new UploadError(
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

function asUploadError(error: unknown): UploadError | undefined {
  if (error instanceof UploadError) return error;
  if (error instanceof CloudConfigError)
    return new UploadError(
      'openstack-unconfigured',
      `no OpenStack to upload to: ${error.message}`,
      false,
    );
  if (error instanceof OpenStackError) {
    // Not the job's failure: the command waits for the cloud (OUTAGE_WAIT_SECONDS), then gives up.
    if (error.unreachable) return undefined;
    if (error.status === 413 || /quota/i.test(error.message))
      return new UploadError('quota-exceeded', error.message, false);
    if (error.status === 401 || error.status === 403)
      return new UploadError('openstack-refused', error.message, false);
    return new UploadError('openstack-rejected', error.message, false);
  }
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT')
    return new UploadError('artifact-missing', (error as Error).message, false);
  return undefined;
}
