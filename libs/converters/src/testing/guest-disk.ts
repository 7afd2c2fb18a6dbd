import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** What libguestfs's inspection needs to take a filesystem for a Debian guest: os-release, fstab, /bin. */
const DEBIAN_TREE: Readonly<Record<string, string>> = {
  '/etc/os-release':
    'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n',
  '/etc/debian_version': '12.5\n',
  '/etc/fstab': '# <file system> <mount point> <type> <options> <dump> <pass>\n',
  '/etc/hostname': 'guest\n',
};

/** Writes a minimal Debian tree with `files` (guest path → text) under `root`. */
export function writeGuestTree(root: string, files: Readonly<Record<string, string>>): void {
  for (const [path, text] of Object.entries({ ...DEBIAN_TREE, ...files })) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  for (const dir of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'var', 'tmp'])
    mkdirSync(join(root, dir), { recursive: true });
}

/**
 * A small disk holding the tree at `root` as one ext4 filesystem, as a monolithicSparse VMDK at
 * `vmdk`: a guest libguestfs inspects, made without root (mkfs.ext4 -d, qemu-img).
 */
export function guestDisk(root: string, vmdk: string): string {
  const raw = `${vmdk}.raw`;
  execFileSync('truncate', ['-s', '32M', raw]);
  execFileSync('mkfs.ext4', ['-q', '-F', '-d', root, raw]);
  execFileSync('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'vmdk', raw, vmdk]);
  execFileSync('rm', ['-f', raw]);
  return vmdk;
}
