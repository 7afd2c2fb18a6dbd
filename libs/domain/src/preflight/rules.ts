import { isWindowsGuest } from '../migration/guest.ts';
import type { PreflightRule } from './rule.ts';

const listed = (what: string, items: readonly string[] | undefined) =>
  items?.length ? `${what}: ${items.join(', ')}` : undefined;
const GENERIC_OS = /^(other|unknown)/i;
const DEFAULT_HOSTNAMES = new Set(['', 'localhost', 'localhost.localdomain', 'localhost6']);

/**
 * The concerns Ferry's sources express (vSphere's properties, a .vmx's keys), each judged before
 * anything is copied. A critical one fails the job; a warning is recorded; an info tells.
 */
export const PREFLIGHT_RULES: readonly PreflightRule[] = [
  {
    id: 'passthrough-device',
    severity: 'critical',
    advice:
      'PCI and SCSI passthrough devices are tied to the source host and cannot move to OpenStack: remove them from the VM, then retry',
    finds: ({ vm }) => listed('passthrough', vm.facts?.passthrough),
  },
  {
    id: 'raw-device-mapping',
    severity: 'critical',
    advice:
      "a raw device mapping's data is on a LUN, not in the datastore, and cannot be read: make it a virtual disk first (Storage vMotion to a virtual-mode disk), then retry",
    finds: ({ vm }) => listed('raw device mappings', vm.facts?.rawDiskMappings),
  },
  {
    id: 'missing-datastore',
    severity: 'critical',
    advice:
      'a disk names a datastore the host does not have: reattach the datastore or the disk, then retry',
    finds: ({ vm }) => listed('datastores', vm.facts?.missingDatastores),
  },
  {
    id: 'disk-size-zero',
    severity: 'critical',
    advice:
      'a disk of size 0 holds nothing a server could boot or read: remove it from the VM, then retry',
    finds: ({ vm }) =>
      listed(
        'empty disks',
        vm.disks.filter((d) => d.capacityBytes === 0).map((d) => d.slot),
      ),
  },
  {
    id: 'sriov-nic',
    severity: 'warning',
    advice:
      'an SR-IOV NIC becomes an ordinary Neutron port (virtio): its hardware offloads are not carried',
    finds: ({ vm }) => listed('SR-IOV NICs', vm.facts?.sriov),
  },
  {
    id: 'shared-disk',
    severity: 'warning',
    advice:
      'a disk shared with other VMs is copied as it is while they may write to it: stop every VM sharing it before the conversion, and attach the copy to one server only',
    finds: ({ vm }) => listed('shared disks', vm.facts?.sharedDisks),
  },
  {
    id: 'independent-disk',
    severity: 'warning',
    advice: 'an independent disk is left out of snapshots: it is copied as it holds now',
    finds: ({ vm }) => listed('independent disks', vm.facts?.independentDisks),
  },
  {
    id: 'snapshots-present',
    severity: 'warning',
    advice:
      "the VM's current state is converted (its snapshot chain read through); the snapshots themselves are not carried",
    finds: ({ vm }) =>
      vm.hasSnapshots
        ? `snapshot chains: ${
            vm.disks
              .filter((d) => (d.chainLength ?? 1) > 1)
              .map((d) => `${d.slot} (${d.chainLength})`)
              .join(', ') || 'yes'
          }`
        : undefined,
  },
  {
    id: 'vtpm',
    severity: 'warning',
    advice:
      'the virtual TPM and what it holds (BitLocker keys, measured boot) are not carried: suspend BitLocker or keep its recovery key before migrating',
    finds: ({ vm }) => (vm.facts?.vtpm ? 'a virtual TPM' : undefined),
  },
  {
    // Copied as is, a Windows guest has no virtio drivers: it boots, from SATA (see the image's
    // properties), but its disks and network run slower than they could.
    id: 'guest-drivers',
    severity: 'warning',
    advice:
      'a Windows guest copied as is (strategy qemu-img) has no virtio drivers: it boots from SATA, slower than virtio; strategy virt-v2v (or auto, with virt-v2v and VIRTIO_WIN installed) adds them',
    finds: ({ vm, options }) =>
      options.strategy === 'qemu-img' && isWindowsGuest(vm)
        ? `${vm.guestOs}, strategy qemu-img`
        : undefined,
  },
  {
    id: 'secure-boot',
    severity: 'warning',
    advice:
      'the image asks for UEFI secure boot (os_secure_boot=required): the target compute hosts need OVMF with secure boot, or the server will not boot',
    finds: ({ vm }) =>
      vm.firmware === 'efi' && vm.secureBoot ? 'UEFI with secure boot' : undefined,
  },
  {
    id: 'memory-assumed',
    severity: 'warning',
    advice:
      'the source does not say how much memory the VM has: the size shown is assumed; choose the flavor yourself',
    finds: ({ vm }) => (vm.facts?.memoryAssumed ? `${vm.memoryMiB} MiB assumed` : undefined),
  },
  {
    id: 'guest-os-unknown',
    severity: 'warning',
    advice:
      'the guest OS is unknown to its source: drivers, firmware and the image properties are guessed; check the server boots',
    finds: ({ vm }) =>
      GENERIC_OS.test(vm.guestOs.trim()) || vm.guestOs.trim() === ''
        ? `guest OS "${vm.guestOs}"`
        : undefined,
  },
  {
    id: 'hostname-default',
    severity: 'warning',
    advice:
      'the guest reports an empty or default host name: servers migrated from such guests are hard to tell apart; set it in the guest',
    finds: ({ vm }) =>
      vm.facts?.hostname !== undefined &&
      DEFAULT_HOSTNAMES.has(vm.facts.hostname.trim().toLowerCase())
        ? `host name "${vm.facts.hostname}"`
        : undefined,
  },
  {
    id: 'cpu-hot-add',
    severity: 'info',
    advice:
      "CPU hot-add is not carried: a server's vCPUs come from its flavor (resize to change them)",
    finds: ({ vm }) => (vm.facts?.cpuHotAdd ? 'CPU hot-add on' : undefined),
  },
  {
    id: 'memory-hot-add',
    severity: 'info',
    advice:
      "memory hot-add is not carried: a server's memory comes from its flavor (resize to change it)",
    finds: ({ vm }) => (vm.facts?.memoryHotAdd ? 'memory hot-add on' : undefined),
  },
  {
    id: 'usb-controller',
    severity: 'info',
    advice: 'USB controllers and the devices on them are not carried',
    finds: ({ vm }) =>
      vm.facts?.usbControllers ? `${vm.facts.usbControllers} USB controller(s)` : undefined,
  },
];
