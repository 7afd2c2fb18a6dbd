import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { MAX_VM_DISKS, MAX_VM_PROBLEMS, type VmDescription, type VmDisk } from '@ferry/contracts';
import { DiskProblem, inspectDisk } from '../vmdk/inspect-disk.ts';
import { describeVmx } from '../vmx/describe-vmx.ts';
import { MAX_VMX_BYTES, parseVmx } from '../vmx/parse-vmx.ts';
import { OutsideRootsError, type Roots } from './roots.ts';

export interface Unreadable {
  readonly location: string;
  readonly error: string;
}

export interface WorkstationInventory {
  readonly vms: readonly VmDescription[];
  /** .vmx files that could not be read at all; every other VM is still discovered. */
  readonly unreadable: readonly Unreadable[];
}

const MAX_DEPTH = 8;
const MAX_NICS = 32;

/** A VM's key: stable while its .vmx stays where it is, and a valid subject token. */
export const workstationVmKey = (realVmxPath: string) =>
  `ws-${createHash('sha256').update(realVmxPath).digest('hex').slice(0, 24)}`;

/** Every VM under the roots, read-only: nothing outside them is opened, nothing inside is changed. */
export async function discoverWorkstation(roots: Roots): Promise<WorkstationInventory> {
  const vmxFiles = new Set<string>();
  const unreadable: Unreadable[] = [];
  for (const root of roots.paths) await walk(roots, root, 0, new Set(), vmxFiles, unreadable);
  const vms: VmDescription[] = [];
  for (const vmx of [...vmxFiles].sort()) {
    try {
      vms.push(await readWorkstationVm(roots, vmx));
    } catch (error) {
      unreadable.push({ location: vmx, error: (error as Error).message.slice(0, 2000) });
    }
  }
  return { vms, unreadable };
}

async function walk(
  roots: Roots,
  dir: string,
  depth: number,
  seen: Set<string>,
  found: Set<string>,
  unreadable: Unreadable[],
): Promise<void> {
  if (depth > MAX_DEPTH || seen.has(dir)) return;
  seen.add(dir);
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    unreadable.push({ location: dir, error: `folder cannot be read: ${(error as Error).message}` });
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    let real = path;
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      try {
        real = await roots.confine(path);
        const s = await stat(real);
        isDir = s.isDirectory();
        isFile = s.isFile();
      } catch (error) {
        // A link out of the roots (or a dangling one) is not followed, only reported when it looks like a VM.
        if (/\.vmx$/i.test(entry.name))
          unreadable.push({
            location: path,
            error:
              error instanceof OutsideRootsError
                ? error.message
                : `cannot be read: ${(error as Error).message}`,
          });
        continue;
      }
    }
    if (isDir && !entry.name.endsWith('.lck'))
      await walk(roots, real, depth + 1, seen, found, unreadable);
    else if (isFile && /\.vmx$/i.test(entry.name)) found.add(real);
  }
}

/** One VM, read again from its .vmx (a real path under the roots): what a job validates against. */
export async function readWorkstationVm(roots: Roots, vmx: string): Promise<VmDescription> {
  const size = (await stat(vmx)).size;
  if (size > MAX_VMX_BYTES) throw new Error(`too large for a .vmx (${size} bytes)`);
  const { entries } = parseVmx(await readFile(vmx));
  const described = describeVmx(entries, basename(vmx).replace(/\.vmx$/i, ''));
  // What a description cannot hold is said, not dropped: the limits are far above real VMs'.
  const problems = [
    ...leftOut(described.disks.length, MAX_VM_DISKS, 'disks'),
    ...leftOut(described.nics.length, MAX_NICS, 'NICs'),
    ...described.unsupported,
  ];
  const disks: VmDisk[] = [];
  for (const [index, disk] of described.disks.slice(0, MAX_VM_DISKS).entries()) {
    const path = resolve(dirname(vmx), disk.fileName);
    try {
      const inspected = await inspectDisk(roots, path);
      disks.push({
        index,
        controller: disk.controller,
        slot: disk.slot,
        path: inspected.chain[0]?.path ?? path,
        capacityBytes: inspected.capacityBytes,
        subformat: inspected.subformat,
        chainLength: inspected.chain.length,
      });
    } catch (error) {
      if (!(error instanceof DiskProblem)) throw error;
      problems.push(`${disk.slot}: ${error.message}`);
      // The path as the .vmx names it, which may be any length: cut to what a VM description holds.
      disks.push({
        index,
        controller: disk.controller,
        slot: disk.slot,
        path: path.slice(0, 4096),
        capacityBytes: 0,
      });
    }
  }
  const running = await stat(`${vmx}.lck`).then(
    () => true,
    () => false,
  );
  const root = roots.rootOf(vmx) as string;
  return {
    key: workstationVmKey(vmx),
    name: described.name.slice(0, 255) || basename(vmx),
    source: { kind: 'workstation', id: root },
    ...(described.uuid ? { uuid: described.uuid } : {}),
    cpus: Math.min(described.cpus, 4096),
    memoryMiB: Math.min(described.memoryMiB, 64 * 1024 * 1024),
    firmware: described.firmware,
    secureBoot: described.secureBoot,
    guestOs: described.guestOs.slice(0, 128),
    powerState: described.suspended ? 'suspended' : running ? 'poweredOn' : 'poweredOff',
    hasSnapshots: disks.some((d) => (d.chainLength ?? 1) > 1),
    disks,
    nics: described.nics
      .slice(0, MAX_NICS)
      .map((nic) => ({ ...nic, network: nic.network.slice(0, 255) })),
    labels: {
      path: relative(root, vmx).slice(0, 1024),
      ...(described.cdroms.length ? { cdroms: described.cdroms.join('; ').slice(0, 1024) } : {}),
    },
    facts: described.facts,
    ...(described.annotation ? { annotation: described.annotation.slice(0, 8192) } : {}),
    ...(problems.length ? { problems: capped(problems) } : {}),
  };
}

const leftOut = (count: number, max: number, what: string) =>
  count > max ? [`${count - max} more ${what} left out: a VM description holds ${max}`] : [];

const capped = (problems: readonly string[]) =>
  problems.length <= MAX_VM_PROBLEMS
    ? problems.map((p) => p.slice(0, 1024))
    : [
        ...problems.slice(0, MAX_VM_PROBLEMS - 1).map((p) => p.slice(0, 1024)),
        `${problems.length - MAX_VM_PROBLEMS + 1} more problems left out`,
      ];
