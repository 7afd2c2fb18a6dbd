import type { Artifact, VmDescription } from '@ferry/contracts';
import { isWindowsGuest } from '@ferry/domain';
import { jobMarks } from '@ferry/openstack';

/** What made the disk: virt-v2v converted the guest (virtio drivers in), qemu-img copied it as is. */
export type ConvertedBy = 'virt-v2v' | 'qemu-img';

/**
 * How Nova should boot a disk, from what was produced and the guest it holds. The table:
 *
 * | made by  | guest   | source bus        | hw_disk_bus (hw_scsi_model)     |
 * | -------- | ------- | ----------------- | ------------------------------- |
 * | virt-v2v | any     | any               | virtio                          |
 * | qemu-img | Windows | any but IDE       | sata: no virtio drivers in it   |
 * | qemu-img | Windows | IDE               | ide                             |
 * | qemu-img | other   | scsi              | scsi (virtio-scsi)              |
 * | qemu-img | other   | nvme, virtio      | virtio                          |
 * | qemu-img | other   | sata / ide        | sata / ide                      |
 *
 * UEFI firmware boots on q35 (`hw_machine_type`), Secure Boot when the VM had it.
 */
export function bootProperties(
  vm: VmDescription,
  controller: string,
  convertedBy: ConvertedBy,
): Record<string, string> {
  const windows = isWindowsGuest(vm);
  return {
    ...(vm.firmware === 'efi'
      ? {
          hw_firmware_type: 'uefi',
          hw_machine_type: 'q35',
          ...(vm.secureBoot ? { os_secure_boot: 'required' } : {}),
        }
      : { hw_firmware_type: 'bios' }),
    ...diskBus(
      convertedBy === 'virt-v2v' ? 'virtio' : windows ? windowsBus(controller) : controller,
    ),
    os_type: windows ? 'windows' : 'linux',
  };
}

/**
 * Which version of an artifact file an image holds, as a Glance property (`ferry_artifact`): its
 * length and mtime when the conversion wrote it. A retry reuses an image only of the same version.
 */
export const artifactVersion = (a: Artifact): string | undefined =>
  a.sizeBytes === undefined || a.modifiedAtMs === undefined
    ? undefined
    : `${a.sizeBytes}@${a.modifiedAtMs}`;

/**
 * The Glance properties of a disk's image: how Nova should boot it (bootProperties), and what ties
 * it to the job, the VM and the artifact it holds.
 */
export function imageProperties(
  jobId: string,
  vm: VmDescription,
  artifact: Artifact,
  convertedBy: ConvertedBy,
): Record<string, string> {
  const disk = vm.disks.find((d) => d.index === artifact.diskIndex);
  return {
    ...bootProperties(vm, disk?.controller ?? 'scsi', convertedBy),
    ...jobMarks(jobId, vm.key),
    ferry_disk_index: String(artifact.diskIndex),
    ...(artifactVersion(artifact) ? { ferry_artifact: artifactVersion(artifact) as string } : {}),
  };
}

/** A Windows guest copied as is has no virtio drivers: SATA (AHCI) it always has; IDE stays IDE. */
const windowsBus = (controller: string) => (controller === 'ide' ? 'ide' : 'sata');

function diskBus(controller: string): Record<string, string> {
  switch (controller) {
    case 'virtio':
    case 'nvme':
      return { hw_disk_bus: 'virtio' };
    case 'scsi':
      return { hw_disk_bus: 'scsi', hw_scsi_model: 'virtio-scsi' };
    case 'sata':
      return { hw_disk_bus: 'sata' };
    default:
      return { hw_disk_bus: 'ide' };
  }
}
