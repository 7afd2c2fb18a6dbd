import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { VmDescription } from '@ferry/contracts';
import { DiskProblem, inspectDisk, readDescriptor } from '../vmdk/inspect-disk.ts';
import { Roots } from '../workstation/roots.ts';
import {
  besides,
  DatastoreFiles,
  formatDatastorePath,
  parseDatastorePath,
  type DatastorePath,
} from './datastore.ts';
import type { VsphereSourceOptions } from './discover-vsphere.ts';
import { openSession } from './session.ts';

const MAX_CHAIN = 64;

/** Where a datastore file is copied under `dest`: the datastore's folder layout, kept, so relative names still resolve. */
export function localCopyPath(dest: string, file: string | DatastorePath): string {
  const p = typeof file === 'string' ? parseDatastorePath(file) : file;
  return join(dest, `ds-${encodeURIComponent(p.datastore)}`, ...p.path.split('/'));
}

export interface FetchOptions {
  readonly signal?: AbortSignal;
  /** A disk's share of its files fetched so far, 0 to 1. */
  readonly onProgress?: (diskIndex: number, fraction: number) => void;
}

/**
 * Copies a vSphere VM's `.vmx` and every disk (descriptor, extents, snapshot parents) from its
 * datastores into `dest` over the host's HTTP access, logged in; then checks each copied chain as
 * discovery checks a Workstation disk (every extent there and whole). Resumes where an earlier
 * attempt stopped. Returns each disk's local top file by disk index.
 */
export async function fetchVm(
  options: VsphereSourceOptions,
  vm: VmDescription,
  dest: string,
  { signal, onProgress }: FetchOptions = {},
): Promise<Map<number, string>> {
  const session = await openSession(options);
  try {
    const files = new DatastoreFiles(session.soap, vm.labels?.datacenter ?? 'ha-datacenter');
    const fetch = async (file: DatastorePath, onBytes?: (done: number, total: number) => void) => {
      const local = localCopyPath(dest, file);
      await mkdir(dirname(local), { recursive: true });
      await files.download(file, local, {
        ...(signal ? { signal } : {}),
        ...(onBytes ? { onBytes } : {}),
      });
      return local;
    };
    if (vm.labels?.vmx) await fetch(parseDatastorePath(vm.labels.vmx));
    const roots = await Roots.of([dest]);
    const tops = new Map<number, string>();
    for (const disk of vm.disks) {
      // Bytes of the files fetched so far and of the one in flight: the share grows as the chain is found.
      let before = 0;
      const onBytes = (done: number, total: number) =>
        onProgress?.(disk.index, total + before === 0 ? 1 : (before + done) / (before + total));
      const fetchCounted = async (file: DatastorePath) => {
        let size = 0;
        const local = await fetch(file, (done, total) => {
          size = total;
          onBytes(done, total);
        });
        before += size;
        return local;
      };
      let link: DatastorePath | undefined = parseDatastorePath(disk.path);
      for (let n = 0; link; n++) {
        if (n === MAX_CHAIN)
          throw new DiskProblem(disk.path, `snapshot chain longer than ${MAX_CHAIN}`);
        const local = await fetchCounted(link);
        if (n === 0) tops.set(disk.index, local);
        const descriptor = await readDescriptor(local);
        for (const extent of descriptor.extents)
          if (extent.file !== undefined && extent.type !== 'ZERO')
            await fetchCounted(besides(link, extent.file));
        const hint = descriptor.parentFileNameHint;
        if (hint !== undefined && hint.startsWith('/'))
          throw new DiskProblem(
            formatDatastorePath(link),
            `its parent is named by an absolute path (${hint}), which Ferry does not fetch yet`,
          );
        link = hint === undefined ? undefined : besides(link, hint);
      }
      // The same checks as a Workstation disk: a chain that loops or an extent cut short is refused here.
      await inspectDisk(roots, tops.get(disk.index) as string);
    }
    return tops;
  } finally {
    await session.close();
  }
}
