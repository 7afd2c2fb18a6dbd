// For the compute tests: a job the image service has finished with, its images really in Glance.
import { createReadStream, statSync } from 'node:fs';
import type { MigrationOptions, VmDescription } from '@ferry/contracts';
import { migrationDecider } from '@ferry/domain';
import { handleCommand, type EventStore } from '@ferry/event-store';
import { commandContext, convertedJob } from '@ferry/stages/testing';
import { FERRY_TAG, jobTag, type Glance } from '@ferry/openstack';

/** A job at UPLOADED: one Glance image of `qcow2` per disk, tagged as the image service tags them. */
export async function uploadedJob(
  { store, glance }: { store: EventStore; glance: Glance },
  jobId: string,
  vm: VmDescription,
  qcow2: string,
  jobOptions: Partial<MigrationOptions> = {},
): Promise<{ stream: string; imageIds: string[] }> {
  const imageIds: string[] = [];
  for (const disk of vm.disks) {
    const image = await glance.create({
      name: `${vm.name}-disk${disk.index}`,
      diskFormat: 'qcow2',
      tags: [FERRY_TAG, jobTag(jobId)],
      properties: { ferry_disk_index: String(disk.index) },
    });
    await glance.upload(image.id, () => createReadStream(qcow2), statSync(qcow2).size);
    imageIds.push(image.id);
  }
  const stream = await convertedJob(store, jobId, {
    vm,
    jobOptions,
    artifacts: vm.disks.map((d) => ({
      diskIndex: d.index,
      path: qcow2,
      format: 'qcow2',
      virtualSize: statSync(qcow2).size,
      allocatedSize: 1,
      sha256: 'a'.repeat(64),
    })),
  });
  const boot = imageIds[0] as string;
  await handleCommand(store, migrationDecider, stream, {
    type: 'StartImageUpload',
    data: { imageId: boot, imageName: vm.name },
    metadata: commandContext(`upload-start-${jobId}`),
  });
  await handleCommand(store, migrationDecider, stream, {
    type: 'CompleteImageUpload',
    data: { reused: false, imageId: boot, checksum: null, sizeBytes: 1, durationMs: 1 },
    metadata: commandContext(`upload-done-${jobId}`),
  });
  return { stream, imageIds };
}
