import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tempDirs } from '@ferry/tooling/temp-dirs';
import { describe, expect, it } from 'vitest';
import { readCopiedFiles } from './read-guest-network.ts';

const tempDir = tempDirs('ferry-guest-files-');
const write = (root: string, path: string, text: string) => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
};

describe('reading what was copied out of the guest', () => {
  it('given configs, leftovers, other files and a link, then only the configs, by guest path', async () => {
    const root = tempDir();
    write(root, 'etc/netplan/01.yaml', 'network: {}\n');
    write(root, 'etc/netplan/01.yaml.bak', 'old\n');
    write(root, 'etc/sysconfig/network-scripts/ifcfg-eth0', 'DEVICE=eth0\n');
    write(root, 'etc/sysconfig/network-scripts/ifup-eth', '#!/bin/sh\n');
    // A link from the guest names a path of this machine: never followed.
    symlinkSync('/etc/hostname', join(root, 'etc/netplan/02.yaml'));
    expect([...(await readCopiedFiles(root))]).toEqual([
      ['/etc/netplan/01.yaml', 'network: {}\n'],
      ['/etc/sysconfig/network-scripts/ifcfg-eth0', 'DEVICE=eth0\n'],
    ]);
  });

  it('given 70 files and one over 256 KiB, then the big one is not read, and 64 of the others are', async () => {
    const root = tempDir();
    write(root, 'etc/network/interfaces', `# ${'x'.repeat(256 * 1024)}\n`);
    for (let i = 0; i < 70; i++)
      write(
        root,
        `etc/network/interfaces.d/eth${String(i).padStart(2, '0')}`,
        `iface eth${i} inet dhcp\n`,
      );
    const files = await readCopiedFiles(root);
    expect(files.size).toBe(64);
    expect(files.has('/etc/network/interfaces')).toBe(false);
    expect([...files.keys()].at(-1)).toBe('/etc/network/interfaces.d/eth63');
  });
});
