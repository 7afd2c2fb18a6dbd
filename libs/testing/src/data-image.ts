import { execFileSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

/**
 * Writes a raw disk image of `bytes` whose every 4 MiB block holds data (no zeros: converters skip
 * zero blocks, and tests and benchmarks need the real work done). Each block carries its offset.
 */
export function writeDataImage(path: string, bytes: number): void {
  const block = Buffer.alloc(4 * 1024 * 1024);
  const fd = openSync(path, 'w');
  try {
    for (let at = 0; at < bytes; at += block.length) {
      block.fill((at / block.length) % 251 || 1);
      block.writeUInt32LE(at % 2 ** 32, 0);
      writeSync(fd, block, 0, Math.min(block.length, bytes - at), at);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * A VMDK of a raw image in the VMware sub-format given (qemu-img's default: monolithicSparse). Made
 * in the VMDK's own folder, so that a descriptor names its extents as VMware does: by file name.
 */
export function vmdkOf(raw: string, vmdk: string, subformat = 'monolithicSparse'): void {
  execFileSync(
    'qemu-img',
    [
      'convert',
      '-f',
      'raw',
      '-O',
      'vmdk',
      '-o',
      `subformat=${subformat}`,
      resolve(raw),
      basename(vmdk),
    ],
    { cwd: dirname(resolve(vmdk)) },
  );
}

/** An empty VMDK of `size` (qemu-img's notation: `8G`) and `subformat`, as qemu-img creates one. */
export function emptyVmdk(path: string, size: string, subformat = 'monolithicSparse'): void {
  execFileSync('qemu-img', [
    'create',
    '-q',
    '-f',
    'vmdk',
    '-o',
    `subformat=${subformat}`,
    path,
    size,
  ]);
}

/** Throws unless a VMDK and the qcow2 made of it hold the same guest-visible bytes (`qemu-img compare`). */
export function sameDiskAs(vmdk: string, qcow2: string): void {
  execFileSync('qemu-img', ['compare', '-f', 'vmdk', '-F', 'qcow2', vmdk, qcow2]);
}
