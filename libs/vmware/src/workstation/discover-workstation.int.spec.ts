import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
  writeSync,
  closeSync,
  lstatSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { VmDescription } from '@ferry/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverWorkstation, type WorkstationInventory } from './discover-workstation.ts';
import { Roots } from './roots.ts';

const MiB = 1024 * 1024;
const qemuImg = (cwd: string, ...args: string[]) =>
  execFileSync('qemu-img', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });

/** A raw image with data at a few places, so sparse formats allocate grains there. */
function rawImage(path: string, size: number) {
  qemuImg('/', 'create', '-q', '-f', 'raw', path, String(size));
  const fd = openSync(path, 'r+');
  for (const at of [0, 1 * MiB, size / 2, size - 64 * 1024])
    writeSync(fd, Buffer.alloc(64 * 1024, `ferry-${at}`), 0, 64 * 1024, at);
  closeSync(fd);
}

function disk(dir: string, name: string, subformat: string, size = 64 * MiB) {
  mkdirSync(dir, { recursive: true });
  const raw = join(dir, `${name}.raw`);
  rawImage(raw, size);
  qemuImg(
    dir,
    'convert',
    '-f',
    'raw',
    '-O',
    'vmdk',
    '-o',
    `subformat=${subformat},adapter_type=lsilogic`,
    raw,
    `${name}.vmdk`,
  );
  unlinkSync(raw);
}

/** A .vmx as Workstation writes it. */
function vmx(dir: string, name: string, disks: Record<string, string>, extra = '') {
  mkdirSync(dir, { recursive: true });
  const lines = [
    '.encoding = "UTF-8"',
    'config.version = "8"',
    'virtualHW.version = "19"',
    `displayName = "${name}"`,
    'guestOS = "ubuntu-64"',
    'memsize = "2048"',
    'numvcpus = "2"',
    'uuid.bios = "56 4d 9b 1e 2a 3c 4d 5e-6f 70 81 92 a3 b4 c5 d6"',
    'ethernet0.present = "TRUE"',
    'ethernet0.connectionType = "nat"',
    'ethernet0.virtualDev = "e1000"',
    'ethernet0.addressType = "generated"',
    'ethernet0.generatedAddress = "00:0c:29:12:34:56"',
  ];
  for (const controller of new Set(Object.keys(disks).map((slot) => slot.split(':')[0])))
    lines.push(`${controller}.present = "TRUE"`);
  for (const [slot, file] of Object.entries(disks))
    lines.push(`${slot}.present = "TRUE"`, `${slot}.fileName = "${file}"`);
  writeFileSync(join(dir, `${name}.vmx`), `${lines.join('\n')}\n${extra}`);
}

/** Every file under a folder with its content hash and modification time. */
function fingerprint(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile())
        out[relative(dir, p)] =
          `${createHash('sha256').update(readFileSync(p)).digest('hex')} ${statSync(p).mtimeMs}`;
      else out[relative(dir, p)] = `link ${lstatSync(p).mtimeMs}`;
    }
  };
  walk(dir);
  return out;
}

describe('Workstation discovery on real VMDKs made by qemu-img', () => {
  let base: string;
  let root: string;
  let before: Record<string, string>;
  let inventory: WorkstationInventory;
  const vm = (name: string) => inventory.vms.find((v) => v.name === name) as VmDescription;

  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'ferry-ws-'));
    root = join(base, 'vms');
    const outside = join(base, 'outside');
    for (const f of [
      'monolithicSparse',
      'monolithicFlat',
      'twoGbMaxExtentFlat',
      'streamOptimized',
    ]) {
      disk(join(root, f), f, f);
      vmx(join(root, f), f, { 'scsi0:0': `${f}.vmdk` });
    }
    // A split disk larger than 2 GiB: three extents.
    disk(join(root, 'split'), 'split', 'twoGbMaxExtentSparse', 5 * 1024 * MiB);
    vmx(join(root, 'split'), 'split', { 'scsi0:0': 'split.vmdk' });
    // A snapshot chain: base <- snap-000001 <- snap-000002, the VM on the newest.
    disk(join(root, 'snap'), 'base', 'monolithicSparse');
    qemuImg(
      join(root, 'snap'),
      'create',
      '-q',
      '-f',
      'vmdk',
      '-b',
      'base.vmdk',
      '-F',
      'vmdk',
      'snap-000001.vmdk',
    );
    qemuImg(
      join(root, 'snap'),
      'create',
      '-q',
      '-f',
      'vmdk',
      '-b',
      'snap-000001.vmdk',
      '-F',
      'vmdk',
      'snap-000002.vmdk',
    );
    vmx(
      join(root, 'snap'),
      'snap',
      { 'scsi0:0': 'snap-000002.vmdk' },
      'checkpoint.vmState = "snap-Snapshot1.vmsn"\n',
    );
    // Every controller kind, and a CD-ROM.
    for (const i of [0, 1, 2, 3]) disk(join(root, 'multi'), `d${i}`, 'monolithicSparse', 16 * MiB);
    vmx(
      join(root, 'multi'),
      'multi',
      { 'scsi0:0': 'd0.vmdk', 'sata0:1': 'd1.vmdk', 'nvme0:0': 'd2.vmdk', 'ide0:1': 'd3.vmdk' },
      'firmware = "efi"\nide1:0.present = "TRUE"\nide1:0.deviceType = "cdrom-image"\nide1:0.fileName = "install.iso"\n',
    );
    // A split disk with an extent gone.
    disk(join(root, 'missing'), 'missing', 'twoGbMaxExtentSparse', 5 * 1024 * MiB);
    unlinkSync(join(root, 'missing', 'missing-s002.vmdk'));
    vmx(join(root, 'missing'), 'missing', { 'scsi0:0': 'missing.vmdk' });
    // Truncated extents: qemu-img would read the lost data as zeros without a word.
    disk(join(root, 'truncated'), 'truncated', 'monolithicSparse');
    truncateSync(
      join(root, 'truncated', 'truncated.vmdk'),
      statSync(join(root, 'truncated', 'truncated.vmdk')).size - 128 * 1024,
    );
    vmx(join(root, 'truncated'), 'truncated', { 'scsi0:0': 'truncated.vmdk' });
    disk(join(root, 'truncflat'), 'truncflat', 'monolithicFlat');
    truncateSync(join(root, 'truncflat', 'truncflat-flat.vmdk'), 32 * MiB);
    vmx(join(root, 'truncflat'), 'truncflat', { 'scsi0:0': 'truncflat.vmdk' });
    // Ways out of the root: a relative path, a link to a disk outside, a link to a .vmx outside.
    disk(outside, 'secret', 'monolithicSparse', 16 * MiB);
    vmx(outside, 'evil', { 'scsi0:0': 'secret.vmdk' });
    mkdirSync(join(root, 'escape'));
    symlinkSync(join(outside, 'secret.vmdk'), join(root, 'escape', 'linked.vmdk'));
    vmx(join(root, 'escape'), 'escape', {
      'scsi0:0': '../../outside/secret.vmdk',
      'scsi0:1': 'linked.vmdk',
    });
    symlinkSync(join(outside, 'evil.vmx'), join(root, 'evil-link.vmx'));
    // More disks than the 64 once kept: four SCSI controllers (unit 7 is the controller's) and SATA.
    const many: Record<string, string> = {};
    for (const slot of [
      ...[0, 1, 2, 3].flatMap((bus) =>
        [...Array(16).keys()].filter((u) => u !== 7).map((u) => `scsi${bus}:${u}`),
      ),
      ...[...Array(10).keys()].map((u) => `sata0:${u}`),
    ])
      many[slot] = `${slot.replace(':', '-')}.vmdk`;
    mkdirSync(join(root, 'many'));
    for (const file of Object.values(many))
      qemuImg(join(root, 'many'), 'create', '-q', '-f', 'vmdk', file, '1M');
    vmx(join(root, 'many'), 'many', many);
    // A passed-through SCSI device and PCI device, and no memsize.
    disk(join(root, 'passthru'), 'passthru', 'monolithicSparse', 16 * MiB);
    vmx(
      join(root, 'passthru'),
      'passthru',
      { 'scsi0:0': 'passthru.vmdk' },
      [
        'scsi0:2.present = "TRUE"',
        'scsi0:2.deviceType = "scsi-passthru"',
        'scsi0:2.fileName = "/dev/sg2"',
        'pciPassthru0.present = "TRUE"',
        'pciPassthru0.id = "0000:03:00.0"',
        '',
      ].join('\n'),
    );
    const passthruVmx = join(root, 'passthru', 'passthru.vmx');
    writeFileSync(passthruVmx, readFileSync(passthruVmx, 'utf8').replace('memsize = "2048"\n', ''));
    // Hostile or broken configuration files.
    mkdirSync(join(root, 'hostile'));
    writeFileSync(
      join(root, 'hostile', 'binary.vmx'),
      Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2]),
    );
    writeFileSync(join(root, 'hostile', 'huge.vmx'), Buffer.alloc(2 * MiB, 'a'));
    writeFileSync(
      join(root, 'hostile', 'nonsense.vmx'),
      'displayName = "x"\nno equals sign here\n',
    );
    before = fingerprint(base);
  });

  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('discovers every VM, and reports each unreadable .vmx with why, the others unaffected', async () => {
    inventory = await discoverWorkstation(await Roots.of([root]));
    expect(inventory.vms.map((v) => v.name).sort()).toEqual(
      [
        'escape',
        'many',
        'missing',
        'monolithicFlat',
        'monolithicSparse',
        'multi',
        'passthru',
        'snap',
        'split',
        'streamOptimized',
        'truncated',
        'truncflat',
        'twoGbMaxExtentFlat',
      ].sort(),
    );
    const unreadable = Object.fromEntries(
      inventory.unreadable.map((u) => [relative(root, u.location), u.error]),
    );
    expect(unreadable).toEqual({
      'evil-link.vmx': `${join(root, 'evil-link.vmx')} is outside the configured Workstation folders`,
      'hostile/binary.vmx': 'not a text file',
      'hostile/huge.vmx': `too large for a .vmx (${2 * MiB} bytes)`,
      'hostile/nonsense.vmx': 'line 2 is not "key = value"',
    });
  });

  it('reads each sub-format with its capacity, and finds no problem in a sound disk', () => {
    for (const f of [
      'monolithicSparse',
      'monolithicFlat',
      'twoGbMaxExtentFlat',
      'streamOptimized',
    ]) {
      const v = vm(f);
      expect(v.problems, f).toBeUndefined();
      expect(v.disks, f).toEqual([
        {
          index: 0,
          controller: 'scsi',
          slot: 'scsi0:0',
          path: join(root, f, `${f}.vmdk`),
          capacityBytes: 64 * MiB,
          subformat: f,
          chainLength: 1,
        },
      ]);
    }
    expect(vm('split').disks[0]).toMatchObject({
      capacityBytes: 5 * 1024 * MiB,
      subformat: 'twoGbMaxExtentSparse',
    });
  });

  it('reads the VM itself: hardware, NIC with its MAC, firmware, the source and a stable key', () => {
    const v = vm('monolithicSparse');
    expect(v).toMatchObject({
      cpus: 2,
      memoryMiB: 2048,
      firmware: 'bios',
      guestOs: 'ubuntu-64',
      powerState: 'poweredOff',
      hasSnapshots: false,
      source: { kind: 'workstation', id: root },
    });
    expect(v.nics).toEqual([
      { index: 0, mac: '00:0c:29:12:34:56', macKind: 'generated', network: 'nat' },
    ]);
    expect(v.uuid).toBe('564d9b1e-2a3c-4d5e-6f70-8192a3b4c5d6');
    expect(v.facts).toEqual({});
    expect(v.key).toMatch(/^ws-[0-9a-f]{24}$/);
    expect(v.labels).toEqual({ path: 'monolithicSparse/monolithicSparse.vmx' });
  });

  it('resolves a snapshot chain to its base, and flags the suspended state', () => {
    const v = vm('snap');
    expect(v.disks[0]).toMatchObject({
      path: join(root, 'snap', 'snap-000002.vmdk'),
      capacityBytes: 64 * MiB,
      chainLength: 3,
    });
    expect(v).toMatchObject({ hasSnapshots: true, powerState: 'suspended' });
  });

  it('reads disks on every controller kind and tells the CD-ROM apart', () => {
    const v = vm('multi');
    expect(v.disks.map((d) => [d.controller, d.slot, d.capacityBytes])).toEqual([
      ['scsi', 'scsi0:0', 16 * MiB],
      ['sata', 'sata0:1', 16 * MiB],
      ['ide', 'ide0:1', 16 * MiB],
      ['nvme', 'nvme0:0', 16 * MiB],
    ]);
    expect(v.firmware).toBe('efi');
    expect(v.labels?.cdroms).toBe('ide1:0: install.iso');
  });

  it('reads all 70 disks of a VM with more than 64, each with its slot and capacity', () => {
    const v = vm('many');
    expect(v.problems).toBeUndefined();
    expect(v.disks).toHaveLength(70);
    expect(v.disks.map((d) => d.index)).toEqual([...Array(70).keys()]);
    expect(v.disks.map((d) => d.slot).slice(0, 8)).toEqual([
      'scsi0:0',
      'scsi0:1',
      'scsi0:2',
      'scsi0:3',
      'scsi0:4',
      'scsi0:5',
      'scsi0:6',
      'scsi0:8',
    ]);
    expect(v.disks.at(-1)).toMatchObject({
      controller: 'sata',
      slot: 'sata0:9',
      path: join(root, 'many', 'sata0-9.vmdk'),
    });
    for (const d of v.disks)
      expect(d, d.slot).toMatchObject({ capacityBytes: MiB, subformat: 'monolithicSparse' });
  });

  it('names passed-through devices, which are not disks, and says the memory is assumed', () => {
    const v = vm('passthru');
    expect(v.disks.map((d) => d.slot)).toEqual(['scsi0:0']);
    expect(v.problems).toBeUndefined();
    expect(v.memoryMiB).toBe(256);
    expect(v.facts).toEqual({
      passthrough: ['pciPassthru0 id=0000:03:00.0', 'scsi0:2 scsi-passthru'],
      memoryAssumed: true,
    });
  });

  it('names a missing extent, and truncated extents that qemu-img would convert into zeros', () => {
    expect(vm('missing').problems).toEqual([
      `scsi0:0: ${join(root, 'missing', 'missing-s002.vmdk')}: file is missing`,
    ]);
    expect(vm('truncated').problems?.[0]).toMatch(
      /truncated\.vmdk: extent is truncated: \d+ bytes, its allocation tables point to data up to \d+$/,
    );
    expect(vm('truncflat').problems).toEqual([
      `scsi0:0: ${join(root, 'truncflat', 'truncflat-flat.vmdk')}: extent is truncated: ${32 * MiB} bytes, its descriptor needs ${64 * MiB}`,
    ]);
    // The trap is real: qemu-img reads the truncated disk without complaint.
    expect(() =>
      qemuImg(
        base,
        'convert',
        '-f',
        'vmdk',
        '-O',
        'raw',
        join(root, 'truncated', 'truncated.vmdk'),
        join(base, 'out.raw'),
      ),
    ).not.toThrow();
    rmSync(join(base, 'out.raw'));
  });

  it('never opens a disk outside the roots, whether by .. or by a link', () => {
    expect(vm('escape').problems).toEqual([
      `scsi0:0: ${join(root, 'escape', '../../outside/secret.vmdk')}: outside the configured Workstation folders`,
      `scsi0:1: ${join(root, 'escape', 'linked.vmdk')}: outside the configured Workstation folders`,
    ]);
  });

  it('changes nothing under the roots (content and modification time)', () => {
    expect(fingerprint(base)).toEqual(before);
  });
});
