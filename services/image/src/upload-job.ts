import { stat } from 'node:fs/promises';
import type { Artifact, DiskImage } from '@ferry/contracts';
import { qemuImgCheck } from '@ferry/converters';
import type { CommandContext } from '@ferry/domain';
import { CommandRejectedError } from '@ferry/messaging';
import {
  runStage,
  StageError,
  type Delivery,
  type StageDefinition,
  type StageRun,
  type StageRunnerDeps,
} from '@ferry/stages';
import { FERRY_TAG, jobTag, type GlanceImage } from '@ferry/openstack';
import { assertUnchanged } from './artifact-unchanged.ts';
import { artifactVersion, imageProperties } from './image-properties.ts';
import { createOnce, uploadArtifact, type UploadTarget } from './upload-artifact.ts';
import { asUploadError } from './upload-failure.ts';

export interface UploadDeps extends UploadTarget {
  /** What the stage runner needs: the store, NATS, leases, the service's stopping signal. */
  readonly runner: StageRunnerDeps;
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
 * uploaded, or stale): never two images for one disk. The job records each disk's image with the
 * sha256 of what was sent and Glance's own hash. A dry run records what it would do.
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
    throw new StageError(
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
    await assertUnchanged(a);
    const check = await qemuImgCheck(a.path, 'qcow2', signal);
    if (check.exitCode !== 0)
      throw new StageError(
        'artifact-corrupt',
        `the image of disk ${a.diskIndex} (${a.path}) fails qemu-img check (${check.corruptions} corruptions): convert it again`,
        false,
      );
  }
  const existing = await deps.glance.list({ tag: jobTag(jobId) });
  const uploaded: { image: GlanceImage; disk: DiskImage; bytes: number }[] = [];
  let reusedAll = true;
  for (const a of artifacts) {
    progress();
    const ofDisk = existing.filter((i) => i.ferry_disk_index === String(a.diskIndex));
    const keep = ofDisk.find((i) => isWholeImageOf(i, a));
    for (const other of ofDisk) if (other !== keep) await deps.glance.delete(other.id);
    const image =
      keep ??
      (await createOnce(deps, jobId, a, {
        name: nameOf(a),
        diskFormat: a.format,
        tags: [FERRY_TAG, jobTag(jobId)],
        properties: imageProperties(jobId, vm, a, job.convertedBy ?? 'qemu-img'),
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
      uploaded.push({ image: keep, disk: diskImageOf(keep, a), bytes: keep.size ?? 0 });
      continue;
    }
    reusedAll = false;
    uploaded.push({
      ...(await uploadArtifact(deps, image, a, signal, progress)),
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
        disks: uploaded.map((u) => u.disk),
      },
    },
    'complete',
  );
}

/**
 * An earlier attempt's image a retry may keep: active, marked with the sha256 only once its bytes
 * were checked, holding this version of the artifact (or, for an artifact hashed by its conversion,
 * those very bytes).
 */
function isWholeImageOf(image: GlanceImage, a: Artifact): boolean {
  if (image.status !== 'active' || typeof image.ferry_sha256 !== 'string') return false;
  return a.sha256 !== undefined
    ? image.ferry_sha256 === a.sha256
    : image.ferry_artifact !== undefined && image.ferry_artifact === artifactVersion(a);
}

const diskImageOf = (image: GlanceImage, a: Artifact): DiskImage => ({
  diskIndex: a.diskIndex,
  imageId: image.id,
  sha256: image.ferry_sha256 as string,
  imageHash: `${image.os_hash_algo ?? 'sha512'}:${image.os_hash_value ?? ''}`,
});
