import type { VmDescription } from '@ferry/contracts';
import { jobTag, type Glance } from '@ferry/openstack';
import { StageError } from '@ferry/stages';

/** Each disk's Glance image, found by the job's tag (the image service put them there). */
export async function imagesByDisk(
  glance: Glance,
  jobId: string,
  vm: VmDescription,
): Promise<Map<number, string>> {
  const images = new Map<number, string>();
  for (const image of await glance.list({ tag: jobTag(jobId) }))
    if (image.status === 'active') images.set(Number(image.ferry_disk_index), image.id);
  for (const disk of vm.disks)
    if (!images.has(disk.index))
      throw new StageError(
        'image-missing',
        `Glance has no active image of disk ${disk.index} for job ${jobId}: upload it again`,
        false,
      );
  return images;
}
