import type { Artifact, VmDescription } from '@ferry/contracts';
import { describe, expect, it } from 'vitest';
import { imageProperties } from './image-properties.ts';

const vm: VmDescription = {
  key: 'ws-abc',
  name: 'web01',
  source: { kind: 'workstation', id: '/vms' },
  cpus: 2,
  memoryMiB: 2048,
  firmware: 'efi',
  secureBoot: true,
  guestOs: 'windows2019srv-64',
  powerState: 'poweredOff',
  hasSnapshots: false,
  disks: [
    { index: 0, controller: 'sata', slot: 'sata0:0', path: '/vms/a.vmdk', capacityBytes: 1 },
    { index: 1, controller: 'scsi', slot: 'scsi0:0', path: '/vms/b.vmdk', capacityBytes: 1 },
  ],
  nics: [],
};
const artifact = (diskIndex: number): Artifact => ({
  diskIndex,
  path: `/out/disk-${diskIndex}.qcow2`,
  format: 'qcow2',
  virtualSize: 1,
  allocatedSize: 1,
  sha256: 'ab'.repeat(32),
});

describe('the Glance properties of a disk image', () => {
  it('given a format-only copy, keeps the bus the guest knows and ties the image to job, VM and artifact', () => {
    expect(imageProperties('j1', vm, artifact(0), false)).toEqual({
      hw_firmware_type: 'uefi',
      os_secure_boot: 'required',
      hw_disk_bus: 'sata',
      os_type: 'windows',
      ferry_job_id: 'j1',
      ferry_vm_key: 'ws-abc',
      ferry_disk_index: '0',
      ferry_sha256: 'ab'.repeat(32),
    });
    expect(imageProperties('j1', vm, artifact(1), false)).toMatchObject({
      hw_disk_bus: 'scsi',
      hw_scsi_model: 'virtio-scsi',
    });
  });

  it('given a guest virt-v2v converted, boots it on virtio; a BIOS Linux guest says so', () => {
    const linux = {
      ...vm,
      firmware: 'bios' as const,
      secureBoot: false,
      guestOs: 'debian12_64Guest',
    };
    expect(imageProperties('j1', linux, artifact(0), true)).toMatchObject({
      hw_firmware_type: 'bios',
      hw_disk_bus: 'virtio',
      os_type: 'linux',
    });
    expect(imageProperties('j1', linux, artifact(0), true)).not.toHaveProperty('os_secure_boot');
  });
});
