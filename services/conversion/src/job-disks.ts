import { join } from 'node:path';
import type { VmDescription, VmDisk } from '@ferry/contracts';
import { localCopyPath } from '@ferry/vmware';
import type { DiskPlan } from './strategies.ts';

/** Where a job's disks are read from and written to. */
export interface JobDisks {
  readonly disks: readonly DiskPlan[];
  /** The VM's .vmx as the converter reads it (virt-v2v takes it whole). */
  readonly vmx: string | undefined;
  /** Whether the disks are on a datastore: streamed, or copied into `copies` before they are converted. */
  readonly onDatastore: boolean;
  readonly copies: string;
}

/**
 * A Workstation VM's disks are read where they are. A datastore's are read over the loopback
 * stream where `streamed` says where (by disk index), else copied into the job's folder first, in
 * the datastore's layout, and converted from the copy. Each becomes `disk-N.qcow2` there.
 */
export function jobDisks(
  vm: VmDescription,
  dir: string,
  streamed?: ReadonlyMap<number, { readonly url: string; readonly format: 'vmdk' | 'raw' }>,
): JobDisks {
  const copies = join(dir, 'source');
  const onDatastore = vm.source.kind !== 'workstation';
  const local = (path: string) => (onDatastore ? localCopyPath(copies, path) : path);
  const vmx = onDatastore
    ? vm.labels?.vmx && local(vm.labels.vmx)
    : vm.labels?.path && join(vm.source.id, vm.labels.path);
  return {
    disks: vm.disks.map((d) => {
      const stream = streamed?.get(d.index);
      return {
        diskIndex: d.index,
        path: stream?.url ?? local(d.path),
        ...(stream?.format === 'raw' ? { sourceFormat: 'raw' as const } : {}),
        ...(!onDatastore && isSingleFile(d) ? { singleFile: true } : {}),
        capacityBytes: d.capacityBytes,
        target: join(dir, `disk-${d.index}.qcow2`),
      };
    }),
    vmx: vmx || undefined,
    onDatastore,
    copies,
  };
}

/** The sub-formats that keep a disk's descriptor, tables and data in one file. */
const ONE_FILE: readonly (VmDisk['subformat'] & string)[] = ['monolithicSparse', 'streamOptimized'];

const isSingleFile = (d: VmDisk) =>
  d.subformat !== undefined && ONE_FILE.includes(d.subformat) && (d.chainLength ?? 1) <= 1;
