import { access, lstat, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import { ConversionError } from '../errors.ts';
import { runTool } from '../run-tool.ts';
import { libguestfsEnvironment } from '../virt-v2v/environment.ts';
import { isGuestNetworkFile } from './guest-network.ts';

export interface ReadGuestNetworkOptions {
  /** A folder for the copied files and libguestfs's own; what is made in it is removed afterwards. */
  readonly tmpDir: string;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

export const MAX_GUEST_NETWORK_FILES = 64;
export const MAX_GUEST_NETWORK_FILE_BYTES = 256 * 1024;

/** What is copied out of the guest, each into the same path under the local folder. */
const SOURCES: readonly { readonly path: string; readonly glob?: true }[] = [
  { path: '/etc/network/interfaces' },
  { path: '/etc/network/interfaces.d' },
  { path: '/etc/netplan' },
  { path: '/etc/NetworkManager/system-connections' },
  { path: '/etc/sysconfig/network-scripts/ifcfg-*', glob: true },
  { path: '/etc/sysconfig/network/ifcfg-*', glob: true },
];

/**
 * The one guestfish run: read-only, inspection mounts the guest's filesystems, then every copy.
 * A leading `-` lets a copy fail (the path is not there) without failing the run.
 */
export function guestNetworkCommand(disks: readonly string[], localRoot: string): string[] {
  const drives = disks.flatMap((disk, i) => {
    const vmdk = disk.toLowerCase().endsWith('.vmdk');
    const wasVmdk = i > 0 && (disks[i - 1] ?? '').toLowerCase().endsWith('.vmdk');
    // --format holds for the drives after it; a bare --format is autodetection again.
    const format = vmdk && !wasVmdk ? ['--format=vmdk'] : !vmdk && wasVmdk ? ['--format'] : [];
    return [...format, '-a', disk];
  });
  const copies = SOURCES.flatMap(({ path, glob }, i) => [
    ...(i > 0 ? [':'] : []),
    ...(glob ? ['-glob', 'copy-out'] : ['-copy-out']),
    path,
    join(localRoot, posix.dirname(path)),
  ]);
  return ['guestfish', '--ro', '-i', ...drives, '--', ...copies];
}

/**
 * Copies the guest's network configuration out of its disks (with libguestfs, read-only) and
 * reads it: guest path → text, at most 64 files of at most 256 KiB each. A file the guest lacks is
 * simply absent; a disk with no operating system, or an unreadable one, fails with a
 * ConversionError saying so.
 */
export async function readGuestNetworkFiles(
  disks: readonly string[],
  o: ReadGuestNetworkOptions,
): Promise<Map<string, string>> {
  await mkdir(o.tmpDir, { recursive: true });
  const work = await mkdtemp(join(o.tmpDir, 'guest-network-'));
  const root = join(work, 'guest');
  const command = guestNetworkCommand(disks, root);
  try {
    if (disks.length === 0) throw new ConversionError('missing-disk', 'no disk to read', command);
    for (const disk of disks)
      await access(disk).catch(() => {
        throw new ConversionError('missing-disk', `${disk} does not exist`, command);
      });
    // copy-out writes into folders that must exist.
    for (const { path } of SOURCES)
      await mkdir(join(root, posix.dirname(path)), { recursive: true });
    await mkdir(join(work, 'tmp'));
    const { exitCode, stderr } = await runTool({
      command,
      env: { ...libguestfsEnvironment(), TMPDIR: join(work, 'tmp') },
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
    }).catch((error: unknown) => {
      if (error instanceof ConversionError && error.reason === 'tool-missing')
        throw new ConversionError(
          'tool-missing',
          'guestfish is not installed (on Debian: apt-get install libguestfs-tools)',
          command,
        );
      throw error;
    });
    if (exitCode !== 0) throw classify(stderr, command);
    return await readCopiedFiles(root);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * The copied files the parsers read, by guest path. Only regular files: a symbolic link copied
 * out of the guest points into this machine's filesystem, never the guest's.
 */
export async function readCopiedFiles(root: string): Promise<Map<string, string>> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const paths = entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .map((local) => ({ local, guest: `/${relative(root, local).split(sep).join('/')}` }))
    .filter(({ guest }) => isGuestNetworkFile(guest))
    .sort((a, b) => (a.guest < b.guest ? -1 : a.guest > b.guest ? 1 : 0));
  const files = new Map<string, string>();
  for (const { local, guest } of paths) {
    if (files.size === MAX_GUEST_NETWORK_FILES) break;
    const stat = await lstat(local);
    if (stat.isFile() && stat.size <= MAX_GUEST_NETWORK_FILE_BYTES)
      files.set(guest, await readFile(local, 'utf8'));
  }
  return files;
}

/** A failed guestfish run, classified from its stderr. */
function classify(stderr: string, command: readonly string[]): ConversionError {
  // Ignored copies report as `*stdin*:N: libguestfs: error: ...`; the run's own error does not.
  const message = (
    /^(?:guestfish|libguestfs): (?:error: )?(.*)$/m.exec(stderr)?.[1] ?? 'guestfish failed'
  ).slice(0, 2000);
  if (/no operating system was found/i.test(stderr))
    return new ConversionError('no-operating-system', message, command);
  if (/multi-boot operating systems are not supported/i.test(stderr))
    return new ConversionError('unsupported-guest', message, command);
  if (/No space left on device/i.test(stderr))
    return new ConversionError('no-space', message, command);
  // A missing disk, or a missing extent of a .vmdk.
  if (/(access|could not open).*No such file or directory/i.test(stderr))
    return new ConversionError('missing-disk', message, command);
  if (/Permission denied|could not open|not in .* format|corrupt/i.test(stderr))
    return new ConversionError('unreadable-disk', message, command);
  return new ConversionError('tool-failed', message, command);
}
