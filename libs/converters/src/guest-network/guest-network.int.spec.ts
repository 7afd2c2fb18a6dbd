import { execFileSync } from 'node:child_process';
import { chmodSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { VmNic } from '@ferry/contracts';
import { tempDirs } from '@ferry/tooling/temp-dirs';
import { beforeAll, describe, expect, it } from 'vitest';
import { guestDisk, writeGuestTree } from '../testing/guest-disk.ts';
import { guestInterfaces } from './guest-network.ts';
import { nicAddresses } from './nic-addresses.ts';
import { readGuestNetworkFiles } from './read-guest-network.ts';

/** What the guest's files say, as written into its disk. */
const GUEST_FILES: Record<string, string> = {
  '/etc/network/interfaces':
    'source /etc/network/interfaces.d/*\n\nauto lo\niface lo inet loopback\n\nauto eth0\niface eth0 inet static\n    address 10.0.0.5/24\n    gateway 10.0.0.1\niface eth0 inet6 static\n    address fd00::5/64\n',
  '/etc/network/interfaces.d/eth1': 'auto eth1\niface eth1 inet dhcp\n',
  '/etc/netplan/01.yaml':
    'network:\n  version: 2\n  ethernets:\n    lan:\n      match:\n        macaddress: "00:50:56:00:00:03"\n      set-name: ens35\n      addresses: [192.168.7.5/24]\n',
  '/etc/NetworkManager/system-connections/Wired connection 1.nmconnection':
    '[connection]\nid=Wired connection 1\ntype=ethernet\ninterface-name=ens36\n\n[ipv4]\nmethod=manual\naddress1=172.16.0.5/16,172.16.0.1\n',
  '/etc/sysconfig/network-scripts/ifcfg-ens37':
    'DEVICE=ens37\nHWADDR=00:50:56:00:00:05\nBOOTPROTO=none\nIPADDR=10.9.0.5\nPREFIX=24\n',
};

/** The guest's tree: its network files, and a leftover and a link that must not be read. */
function writeTree(root: string): void {
  writeGuestTree(root, {
    ...GUEST_FILES,
    // Not read: a leftover, a script beside the ifcfg files.
    '/etc/sysconfig/network-scripts/ifcfg-ens37.bak': 'DEVICE=ens37\nIPADDR=10.9.9.9\n',
    '/etc/sysconfig/network-scripts/ifup-eth': '#!/bin/sh\n',
  });
  chmodSync(
    join(root, '/etc/NetworkManager/system-connections/Wired connection 1.nmconnection'),
    0o600,
  );
  // Points at a path of the machine that copies it out: must never be read.
  symlinkSync('/etc/passwd', join(root, 'etc/netplan/99-link.yaml'));
}

// Under software emulation (no KVM here) each run boots libguestfs's appliance: 30–60 s.
describe('reading a guest’s network configuration with guestfish, for real', () => {
  const tempDir = tempDirs('ferry-guest-network-');
  let dir: string;
  let vmdk: string;
  beforeAll(() => {
    dir = tempDir();
    writeTree(join(dir, 'tree'));
    vmdk = guestDisk(join(dir, 'tree'), join(dir, 'guest.vmdk'));
    execFileSync('truncate', ['-s', '16M', join(dir, 'blank.raw')]);
  });

  it('copies out the configuration files, which parse, and leaves nothing behind', async () => {
    const tmpDir = join(dir, 'tmp-read');
    const files = await readGuestNetworkFiles([vmdk], { tmpDir, timeoutMs: 280_000 });
    expect(Object.fromEntries(files)).toEqual(GUEST_FILES);
    expect(readdirSync(tmpDir)).toEqual([]);

    const configs = guestInterfaces(files);
    expect(
      configs.map((c) => [c.device, c.mac, c.dhcp, c.addresses.map((a) => `${a.ip}/${a.prefix}`)]),
    ).toEqual([
      ['ens36', null, false, ['172.16.0.5/16']],
      ['ens35', '00:50:56:00:00:03', false, ['192.168.7.5/24']],
      ['eth0', null, false, ['10.0.0.5/24', 'fd00::5/64']],
      ['eth1', null, true, []],
      ['ens37', '00:50:56:00:00:05', false, ['10.9.0.5/24']],
    ]);
    const nics = [1, 2, 3, 4, 5].map((n, index): VmNic => ({
      index,
      mac: `00:50:56:00:00:0${n}`,
      macKind: 'static',
      network: 'n',
    }));
    // By MAC: ens35 → 2, ens37 → 4; by name, the rest in order: ens36 → 0, eth0 → 1, eth1 → 3.
    expect(Object.fromEntries(nicAddresses(nics, configs))).toEqual({
      0: [{ ip: '172.16.0.5', prefix: 16 }],
      1: [
        { ip: '10.0.0.5', prefix: 24 },
        { ip: 'fd00::5', prefix: 64 },
      ],
      2: [{ ip: '192.168.7.5', prefix: 24 }],
      4: [{ ip: '10.9.0.5', prefix: 24 }],
    });
  }, 300_000);

  it('says plainly that a disk holds no operating system', async () => {
    const tmpDir = join(dir, 'tmp-blank');
    const error = await readGuestNetworkFiles([join(dir, 'blank.raw')], {
      tmpDir,
      timeoutMs: 280_000,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'no-operating-system', retryable: false });
    expect((error as Error).message).toMatch(/no operating system was found/);
    expect(readdirSync(tmpDir)).toEqual([]);
  }, 300_000);

  it('says which disk is missing, without starting the appliance', async () => {
    const error = await readGuestNetworkFiles([join(dir, 'nope.vmdk')], {
      tmpDir: join(dir, 'tmp-missing'),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'missing-disk' });
    expect((error as Error).message).toContain('nope.vmdk');
  });
});
