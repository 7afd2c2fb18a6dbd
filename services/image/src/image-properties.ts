import type { Artifact, VmDescription } from '@ferry/contracts';
import { jobMarks } from '@ferry/openstack';

/**
 * The Glance properties of a disk's image: how Nova should boot it (firmware, disk bus, OS type,
 * from the source VM), and what ties it to the job, the VM and the artifact it holds.
 */
export function imageProperties(
  jobId: string,
  vm: VmDescription,
  artifact: Artifact,
  guestConverted: boolean,
): Record<string, string> {
  const disk = vm.disks.find((d) => d.index === artifact.diskIndex);
  return {
    hw_firmware_type: vm.firmware === 'efi' ? 'uefi' : 'bios',
    ...(vm.firmware === 'efi' && vm.secureBoot ? { os_secure_boot: 'required' } : {}),
    // virt-v2v installed virtio drivers; a format-only copy keeps the bus its guest knows.
    ...diskBus(guestConverted ? 'virtio' : (disk?.controller ?? 'scsi')),
    os_type: /win/i.test(vm.guestOs) ? 'windows' : 'linux',
    ...jobMarks(jobId, vm.key),
    ferry_disk_index: String(artifact.diskIndex),
    ferry_sha256: artifact.sha256,
  };
}

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
