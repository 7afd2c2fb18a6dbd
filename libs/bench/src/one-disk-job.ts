import type { VmDescription, VmDisk } from '@ferry/contracts';
import { testVm } from '@ferry/stages/testing';

/** A Workstation VM of one disk at `path` (of the sub-format discovery found), named after the bench's job. */
export const oneDiskVm = (
  jobId: string,
  path: string,
  capacityBytes: number,
  subformat?: VmDisk['subformat'],
): VmDescription => ({
  ...testVm,
  key: `ws-${jobId}`,
  name: jobId,
  disks: [
    {
      index: 0,
      controller: 'scsi',
      slot: 'scsi0:0',
      path,
      capacityBytes,
      ...(subformat && { subformat, chainLength: 1 }),
    },
  ],
});

/** The raw tool Ferry's conversion is measured against: the qcow2 the conversion service writes. */
export const rawConvertArgs = (vmdk: string, target: string) => [
  'convert',
  '-f',
  'vmdk',
  '-O',
  'qcow2',
  '-o',
  'compat=1.1',
  vmdk,
  target,
];
