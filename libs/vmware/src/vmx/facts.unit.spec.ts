import { describe, expect, it } from 'vitest';
import { biosUuid } from './bios-uuid.ts';
import { describeVmx } from './describe-vmx.ts';
import { parseVmx } from './parse-vmx.ts';

// Given a .vmx's lines, when it is described.
const described = (...lines: string[]) =>
  describeVmx(parseVmx(new TextEncoder().encode(lines.join('\n'))).entries, 'vm');
const factsOf = (...lines: string[]) => described('memsize = "1024"', ...lines).facts;
const disk = (slot: string, file = `${slot.replace(':', '-')}.vmdk`) => [
  `${slot}.present = "TRUE"`,
  `${slot}.fileName = "${file}"`,
];

describe('biosUuid', () => {
  it("gives a .vmx's spaced form as vSphere's lower-case 8-4-4-4-12", () => {
    expect(biosUuid('56 4d 12 34 56 78 9a bc-de f0 12 34 56 78 9a bc')).toBe(
      '564d1234-5678-9abc-def0-123456789abc',
    );
  });

  it("keeps vSphere's own form, and reads one in upper case or without dashes", () => {
    for (const form of [
      '564d1234-5678-9abc-def0-123456789abc',
      '564D1234-5678-9ABC-DEF0-123456789ABC',
      '564d123456789abcdef0123456789abc',
    ])
      expect(biosUuid(form), form).toBe('564d1234-5678-9abc-def0-123456789abc');
  });

  it('leaves out what is not 32 hex digits', () => {
    for (const bad of [
      undefined,
      '',
      '56 4d 12 34',
      '56 4d 12 34 56 78 9a bc-de f0 12 34 56 78 9a bc 00',
      '56 4d 12 34 56 78 9a bc-de f0 12 34 56 78 9a bg',
      '{564d1234-5678-9abc-def0-123456789abc}',
      '564d1234:5678:9abc:def0:123456789abc',
    ])
      expect(biosUuid(bad), bad).toBeUndefined();
  });

  it('is what describeVmx gives as the uuid, absent when malformed', () => {
    expect(described('uuid.bios = "56 4d 9b 1e 2a 3c 4d 5e-6f 70 81 92 a3 b4 c5 d6"').uuid).toBe(
      '564d9b1e-2a3c-4d5e-6f70-8192a3b4c5d6',
    );
    expect(described('uuid.bios = "not a uuid"').uuid).toBeUndefined();
    expect(described('displayName = "x"').uuid).toBeUndefined();
  });
});

describe('describeVmx: facts', () => {
  it('has facts for every .vmx, with no field the .vmx says nothing of', () => {
    expect(factsOf('displayName = "plain"', ...disk('scsi0:0'))).toEqual({});
  });

  it('names PCI passthrough devices with their ids, and a SCSI passthrough device, which is no disk', () => {
    const d = described(
      'memsize = "1024"',
      'pciPassthru0.present = "TRUE"',
      'pciPassthru0.id = "0000:03:00.0"',
      'pciPassthru0.deviceId = "0x10fb"',
      'pciPassthru1.present = "TRUE"',
      'pciPassthru2.present = "FALSE"',
      'pciPassthru2.id = "0000:04:00.0"',
      'scsi0.present = "TRUE"',
      'scsi0:2.present = "TRUE"',
      'scsi0:2.deviceType = "scsi-passthru"',
      'scsi0:2.fileName = "/dev/sg2"',
    );
    expect(d.facts.passthrough).toEqual([
      'pciPassthru0 id=0000:03:00.0 deviceId=0x10fb',
      'pciPassthru1',
      'scsi0:2 scsi-passthru',
    ]);
    expect(d.disks).toEqual([]);
    expect(d.unsupported).toEqual([]);
  });

  it('names SR-IOV NICs, whether an ethernet device or a PCI device with a physical function', () => {
    const f = factsOf(
      'ethernet0.present = "TRUE"',
      'ethernet0.virtualDev = "vmxnet3"',
      'ethernet1.present = "TRUE"',
      'ethernet1.virtualDev = "SRIOV"',
      'ethernet2.present = "FALSE"',
      'ethernet2.virtualDev = "sriov"',
      'pciPassthru3.present = "TRUE"',
      'pciPassthru3.pfId = "0000:05:00.0"',
    );
    expect(f).toEqual({ sriov: ['ethernet1', 'pciPassthru3'] });
  });

  it('names raw device mappings and physical disks by slot, a plain disk without a .vmdk only there', () => {
    const d = described(
      'memsize = "1024"',
      ...disk('scsi0:0'),
      ...disk('scsi0:1', 'lun-rdm.vmdk'),
      ...disk('scsi0:2', 'lun-rdmp.vmdk'),
      ...disk('scsi0:3', 'physical.vmdk'),
      'scsi0:3.deviceType = "rawDisk"',
      ...disk('sata0:0', 'old.pln'),
      'sata0:0.deviceType = "plainDisk"',
    );
    expect(d.facts.rawDiskMappings).toEqual(['scsi0:1', 'scsi0:2', 'scsi0:3', 'sata0:0']);
    expect(d.disks.map((x) => x.slot)).toEqual(['scsi0:0', 'scsi0:1', 'scsi0:2', 'scsi0:3']);
    expect(d.unsupported).toEqual([]);
  });

  it('names shared disks: on a shared bus, multi-writer, or all of them when disks are not locked', () => {
    const f = factsOf(
      'scsi0.present = "TRUE"',
      ...disk('scsi0:0'),
      ...disk('scsi0:1'),
      'scsi0:1.sharing = "multi-writer"',
      'scsi1.present = "TRUE"',
      'scsi1.sharedBus = "physical"',
      ...disk('scsi1:0'),
      'scsi2.present = "TRUE"',
      'scsi2.sharedBus = "virtual"',
      ...disk('scsi2:5'),
      'scsi3.present = "TRUE"',
      'scsi3.sharedBus = "none"',
      ...disk('scsi3:0'),
    );
    expect(f.sharedDisks).toEqual(['scsi0:1', 'scsi1:0', 'scsi2:5']);
    expect(factsOf('disk.locking = "FALSE"', ...disk('scsi0:0'), ...disk('nvme0:0'))).toEqual({
      sharedDisks: ['scsi0:0', 'nvme0:0'],
    });
    expect(factsOf('disk.locking = "TRUE"', ...disk('scsi0:0'))).toEqual({});
  });

  it('names disks in an independent mode, and no other mode', () => {
    const f = factsOf(
      ...disk('scsi0:0'),
      'scsi0:0.mode = "persistent"',
      ...disk('scsi0:1'),
      'scsi0:1.mode = "independent-persistent"',
      ...disk('sata0:0'),
      'sata0:0.mode = "Independent-Nonpersistent"',
    );
    expect(f).toEqual({ independentDisks: ['scsi0:1', 'sata0:0'] });
  });

  it('counts the USB controllers present, zero when the .vmx says each is absent', () => {
    expect(
      factsOf('usb.present = "TRUE"', 'ehci.present = "TRUE"', 'usb_xhci.present = "TRUE"'),
    ).toEqual({ usbControllers: 3 });
    expect(factsOf('usb.present = "TRUE"', 'usb_xhci.present = "FALSE"')).toEqual({
      usbControllers: 1,
    });
    expect(factsOf('usb.present = "FALSE"')).toEqual({ usbControllers: 0 });
  });

  it('reads the vTPM and hot add as the .vmx says them', () => {
    expect(
      factsOf('vtpm.present = "TRUE"', 'vcpu.hotadd = "TRUE"', 'mem.hotadd = "FALSE"'),
    ).toEqual({ vtpm: true, cpuHotAdd: true, memoryHotAdd: false });
  });

  it('says the memory is assumed when memsize is absent or no size, keeping the fallback', () => {
    for (const lines of [[], ['memsize = "lots"'], ['memsize = "0"']])
      expect(described(...lines)).toMatchObject({
        memoryMiB: 256,
        facts: { memoryAssumed: true },
      });
    expect(described('memsize = "4096"').facts.memoryAssumed).toBeUndefined();
  });

  it('keeps a list to what a description holds, the last entry saying how many more', () => {
    const lines = Array.from({ length: 70 }, (_, i) => [
      ...disk(`scsi${Math.floor(i / 16)}:${i % 16}`),
      `scsi${Math.floor(i / 16)}:${i % 16}.mode = "independent-persistent"`,
    ]).flat();
    const d = described('memsize = "1024"', ...lines);
    expect(d.disks).toHaveLength(70);
    expect(d.facts.independentDisks).toHaveLength(64);
    expect(d.facts.independentDisks?.[62]).toBe('scsi3:14');
    expect(d.facts.independentDisks?.[63]).toBe('and 7 more');
  });

  it('says which present devices in a disk slot are neither carried nor a fact', () => {
    const d = described(
      'memsize = "1024"',
      'scsi0:0.present = "TRUE"',
      'sata0:0.present = "TRUE"',
      'sata0:0.deviceType = "tape"',
      'sata0:0.fileName = "/dev/st0"',
      'ide0:0.present = "TRUE"',
      'ide0:0.deviceType = "cdrom-raw"',
    );
    expect(d.unsupported).toEqual([
      'scsi0:0: a disk with no file, left out',
      'sata0:0: a "tape" device, neither a disk nor a CD-ROM, left out',
    ]);
    expect(d.cdroms).toEqual(['ide0:0: cdrom-raw']);
  });
});
