import { describe, expect, it } from 'vitest';
import { describeVmx } from './describe-vmx.ts';
import { parseVmx } from './parse-vmx.ts';

const vmx = (text: string) => parseVmx(new TextEncoder().encode(text)).entries;

describe('parseVmx', () => {
  it('reads keys case-insensitively, the last of a repeated key winning, comments ignored', () => {
    const e = vmx(
      '# comment\n.encoding = "UTF-8"\ndisplayName = "first"\nDisplayName = "web server"\nmemsize = "2048"\n\n',
    );
    expect(e.get('displayname')).toBe('web server');
    expect(e.get('memsize')).toBe('2048');
  });

  it('keeps the notes VMware writes in annotation, line breaks and all', () => {
    const d = describeVmx(vmx('annotation = "  web tier|0Aowner: ops  "'), 'vm');
    expect(d.annotation).toBe('web tier\nowner: ops');
    expect(describeVmx(vmx('displayName = "x"'), 'vm').annotation).toBe('');
  });

  it("decodes VMware's |XX escapes", () => {
    expect(vmx('displayName = "say |22hi|22 |7C pipe |23 hash"').get('displayname')).toBe(
      'say "hi" | pipe # hash',
    );
  });

  it('decodes the file in its declared .encoding', () => {
    const latin1 = Uint8Array.from([
      ...new TextEncoder().encode('.encoding = "windows-1252"\ndisplayName = "Caf'),
      0xe9,
      0x22,
      0x0a,
    ]);
    expect(parseVmx(latin1).entries.get('displayname')).toBe('Café');
    const sjis = Uint8Array.from([
      ...new TextEncoder().encode('.encoding = "Shift_JIS"\ndisplayName = "'),
      0x93,
      0xfa,
      0x96,
      0x7b,
      0x22,
    ]);
    expect(parseVmx(sjis).entries.get('displayname')).toBe('日本');
  });

  it('refuses what is not a .vmx, saying why', () => {
    expect(() => parseVmx(Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 0, 1]))).toThrow(
      'not a text file',
    );
    expect(() =>
      parseVmx(new TextEncoder().encode('displayName = "x"\nthis line has no equals sign')),
    ).toThrow('line 2 is not "key = value"');
    expect(() => parseVmx(new TextEncoder().encode('.encoding = "no-such-charset"\n'))).toThrow(
      'unsupported .encoding "no-such-charset"',
    );
    expect(() => parseVmx(new Uint8Array(2 * 1024 * 1024).fill(0x41))).toThrow(/too large/);
  });
});

describe('describeVmx', () => {
  const full = vmx(`
.encoding = "UTF-8"
displayName = "db01"
guestOS = "ubuntu-64"
numvcpus = "4"
memsize = "8192"
firmware = "efi"
uefi.secureBoot.enabled = "TRUE"
uuid.bios = "56 4d 12 34 56 78 9a bc-de f0 12 34 56 78 9a bc"
scsi0.present = "TRUE"
scsi0.virtualDev = "lsilogic"
scsi0:1.present = "TRUE"
scsi0:1.fileName = "data.vmdk"
scsi0:0.present = "TRUE"
scsi0:0.fileName = "db01.vmdk"
sata0.present = "TRUE"
sata0:1.present = "TRUE"
sata0:1.deviceType = "cdrom-image"
sata0:1.fileName = "/isos/ubuntu.iso"
nvme0.present = "TRUE"
nvme0:0.present = "TRUE"
nvme0:0.fileName = "fast.vmdk"
ide1:0.present = "TRUE"
ide1:0.deviceType = "atapi-cdrom"
ide0:0.present = "FALSE"
ide0:0.fileName = "ignored.vmdk"
scsi1.present = "FALSE"
scsi1:0.present = "TRUE"
scsi1:0.fileName = "on-absent-controller.vmdk"
ethernet0.present = "TRUE"
ethernet0.connectionType = "nat"
ethernet0.addressType = "generated"
ethernet0.generatedAddress = "00:0C:29:AA:BB:CC"
ethernet1.present = "TRUE"
ethernet1.connectionType = "custom"
ethernet1.vnet = "VMnet2"
ethernet1.addressType = "static"
ethernet1.address = "00:50:56:01:02:03"
ethernet2.present = "FALSE"
ethernet3.present = "TRUE"
ethernet3.networkName = "VM Network"
checkpoint.vmState = "db01.vmss"
`);

  it('reads hardware, firmware, identity and the suspended state', () => {
    const d = describeVmx(full, 'fallback');
    expect(d).toMatchObject({
      name: 'db01',
      guestOs: 'ubuntu-64',
      cpus: 4,
      memoryMiB: 8192,
      firmware: 'efi',
      secureBoot: true,
      suspended: true,
    });
    expect(d.uuid).toBe('564d1234-5678-9abc-def0-123456789abc');
  });

  it('lists present disks on present controllers in controller order, and tells CD-ROMs apart', () => {
    const d = describeVmx(full, 'x');
    expect(d.disks).toEqual([
      { controller: 'scsi', slot: 'scsi0:0', fileName: 'db01.vmdk' },
      { controller: 'scsi', slot: 'scsi0:1', fileName: 'data.vmdk' },
      { controller: 'nvme', slot: 'nvme0:0', fileName: 'fast.vmdk' },
    ]);
    expect(d.cdroms).toEqual(['sata0:1: /isos/ubuntu.iso', 'ide1:0: atapi-cdrom']);
  });

  it('reads NICs with static, generated or no MAC, and their network', () => {
    expect(describeVmx(full, 'x').nics).toEqual([
      { index: 0, mac: '00:0c:29:aa:bb:cc', macKind: 'generated', network: 'nat' },
      { index: 1, mac: '00:50:56:01:02:03', macKind: 'static', network: 'VMnet2' },
      { index: 3, mac: null, macKind: 'none', network: 'VM Network' },
    ]);
  });

  it('falls back to safe defaults for a minimal .vmx', () => {
    expect(describeVmx(vmx('config.version = "8"'), 'bare')).toMatchObject({
      name: 'bare',
      cpus: 1,
      memoryMiB: 256,
      firmware: 'bios',
      secureBoot: false,
      suspended: false,
      disks: [],
      nics: [],
      facts: { memoryAssumed: true },
    });
  });
});
