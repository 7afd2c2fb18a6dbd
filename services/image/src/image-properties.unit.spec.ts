import type { Artifact, VmDescription } from '@ferry/contracts';
import { describe, expect, it } from 'vitest';
import { describeVmx, parseVmx } from '@ferry/vmware';
import { bootProperties, imageProperties } from './image-properties.ts';

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
  sizeBytes: 196_608,
  modifiedAtMs: 1764000000000.5,
});

describe('the Glance properties of a disk image', () => {
  it('ties the image to its job, VM and artifact, and says how to boot it', () => {
    expect(imageProperties('j1', vm, artifact(0), 'qemu-img')).toEqual({
      hw_firmware_type: 'uefi',
      hw_machine_type: 'q35',
      os_secure_boot: 'required',
      hw_disk_bus: 'sata',
      os_type: 'windows',
      ferry_job_id: 'j1',
      ferry_vm_key: 'ws-abc',
      ferry_disk_index: '0',
      ferry_artifact: '196608@1764000000000.5',
    });
  });
});

describe('how Nova boots a disk: from what made it and the guest in it', () => {
  const linux: VmDescription = {
    ...vm,
    firmware: 'bios',
    secureBoot: false,
    guestOs: 'debian12_64Guest',
  };
  const windowsBios: VmDescription = { ...vm, firmware: 'bios', secureBoot: false };
  const bus = (guest: VmDescription, controller: string, by: 'virt-v2v' | 'qemu-img') => {
    const p = bootProperties(guest, controller, by);
    return p['hw_scsi_model'] ? `${p['hw_disk_bus']} (${p['hw_scsi_model']})` : p['hw_disk_bus'];
  };
  const table: [VmDescription, string, 'virt-v2v' | 'qemu-img', string][] = [
    [linux, 'scsi', 'virt-v2v', 'virtio'],
    [windowsBios, 'scsi', 'virt-v2v', 'virtio'],
    [windowsBios, 'nvme', 'virt-v2v', 'virtio'],
    // Copied as is, a Windows guest has no virtio drivers: SATA, whatever its bus was (not IDE).
    [windowsBios, 'scsi', 'qemu-img', 'sata'],
    [windowsBios, 'nvme', 'qemu-img', 'sata'],
    [windowsBios, 'sata', 'qemu-img', 'sata'],
    [windowsBios, 'ide', 'qemu-img', 'ide'],
    [linux, 'scsi', 'qemu-img', 'scsi (virtio-scsi)'],
    [linux, 'nvme', 'qemu-img', 'virtio'],
    [linux, 'sata', 'qemu-img', 'sata'],
    [linux, 'ide', 'qemu-img', 'ide'],
  ];
  for (const [guest, controller, by, expected] of table)
    it(`${guest === linux ? 'Linux' : 'Windows'} on ${controller}, made by ${by} → ${expected}`, () => {
      expect(bus(guest, controller, by)).toBe(expected);
    });

  it('boots UEFI on q35, with Secure Boot when the VM had it; BIOS on the default machine', () => {
    expect(bootProperties(vm, 'sata', 'virt-v2v')).toMatchObject({
      hw_firmware_type: 'uefi',
      hw_machine_type: 'q35',
      os_secure_boot: 'required',
    });
    const plain = bootProperties(linux, 'scsi', 'virt-v2v');
    expect(plain).toMatchObject({ hw_firmware_type: 'bios', os_type: 'linux' });
    expect(plain).not.toHaveProperty('hw_machine_type');
    expect(plain).not.toHaveProperty('os_secure_boot');
  });
});

describe("a Windows VM's .vmx, copied as is", () => {
  it('boots from SATA on every disk, UEFI on q35', () => {
    // As Workstation writes a Windows Server 2022 VM: UEFI, an NVMe system disk, an LSI SAS data disk.
    const { entries } = parseVmx(
      Buffer.from(
        [
          '.encoding = "UTF-8"',
          'displayName = "win2022"',
          'guestOS = "windows2019srvNext-64"',
          'firmware = "efi"',
          'nvme0.present = "TRUE"',
          'nvme0:0.present = "TRUE"',
          'nvme0:0.fileName = "win2022.vmdk"',
          'scsi0.present = "TRUE"',
          'scsi0.virtualDev = "lsisas1068"',
          'scsi0:0.present = "TRUE"',
          'scsi0:0.fileName = "win2022-data.vmdk"',
        ].join('\n'),
      ),
    );
    const described = describeVmx(entries, 'win2022');
    const guest: VmDescription = {
      ...vm,
      guestOs: described.guestOs,
      firmware: described.firmware,
      secureBoot: described.secureBoot,
    };
    expect(described.disks.map((d) => d.controller).sort()).toEqual(['nvme', 'scsi']);
    for (const disk of described.disks)
      expect(bootProperties(guest, disk.controller, 'qemu-img')).toEqual({
        hw_firmware_type: 'uefi',
        hw_machine_type: 'q35',
        hw_disk_bus: 'sata',
        os_type: 'windows',
      });
  });
});
