import { setTimeout as sleep } from 'node:timers/promises';
import type { Resource, VmDescription } from '@ferry/contracts';
import { jobMarks, onlyOne, type BlockDevice, type Cinder, type Volume } from '@ferry/openstack';
import { StageError, type StageRun } from '@ferry/stages';

const GiB = 1024 ** 3;

/** One volume per disk from its image, found again by its metadata, waited on until available. */
export async function volumesFor(
  deps: { readonly cinder: Cinder; readonly volumeTimeoutMs: number; readonly pollMs: number },
  jobId: string,
  vm: VmDescription,
  images: ReadonlyMap<number, string>,
  record: (resource: Resource) => Promise<unknown>,
  { signal, progress }: Pick<StageRun, 'signal' | 'progress'>,
  volumeTypeId?: string,
): Promise<Volume[]> {
  const volumes: Volume[] = [];
  for (const disk of vm.disks) {
    const marks = { ...jobMarks(jobId, vm.key), ferry_disk_index: String(disk.index) };
    const [found] = (await deps.cinder.volumesWithMetadata(marks)).filter(
      (v) => v.status !== 'error',
    );
    const volume =
      found ??
      (await onlyOne(
        await deps.cinder.createFromImage({
          name: `${vm.name}-disk${disk.index}`.slice(0, 255),
          sizeGb: Math.max(1, Math.ceil(disk.capacityBytes / GiB)),
          imageId: images.get(disk.index) as string,
          ...(volumeTypeId ? { volumeType: volumeTypeId } : {}),
          metadata: marks,
        }),
        () => deps.cinder.volumesWithMetadata(marks),
        (id) => deps.cinder.deleteVolume(id),
      ));
    await record({ kind: 'volume', id: volume.id, name: volume.name });
    volumes.push(volume);
  }
  const deadline = Date.now() + deps.volumeTimeoutMs;
  for (const [i, volume] of volumes.entries()) {
    for (let now = volume; now.status !== 'available' && now.status !== 'in-use';) {
      if (now.status === 'error')
        throw new StageError(
          'volume-failed',
          `Cinder could not make volume ${now.id} of disk ${i} from its image (status error)`,
          true,
        );
      if (Date.now() > deadline)
        throw new StageError(
          'timeout',
          `volume ${now.id} is still ${now.status} after ${Math.round(deps.volumeTimeoutMs / 1000)} s`,
          true,
        );
      progress();
      await sleep(deps.pollMs, undefined, { signal });
      now = (await deps.cinder.volume(volume.id)) ?? { ...now, status: 'error' };
    }
  }
  return volumes;
}

export const blockDevice = (volume: Volume, index: number): BlockDevice => ({
  uuid: volume.id,
  source_type: 'volume',
  destination_type: 'volume',
  boot_index: index === 0 ? 0 : -1,
  delete_on_termination: false,
});
