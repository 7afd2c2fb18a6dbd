import { createHash } from 'node:crypto';
import type { DISK_CONTROLLERS } from '@ferry/contracts';
import { type VmDescription, type VmDisk, type VmNic } from '@ferry/contracts';
import type { ObjectContent } from './properties.ts';
import { readMoRef } from './soap.ts';
import { child, children, path, text, xsiType, type Element, type Keep } from './xml.ts';

export const VM_PROPERTIES = [
  'name',
  'config.uuid',
  'config.guestId',
  'config.firmware',
  'config.bootOptions.efiSecureBootEnabled',
  'config.hardware.numCPU',
  'config.hardware.memoryMB',
  'config.hardware.device',
  'config.files.vmPathName',
  'runtime.powerState',
  'runtime.host',
  'snapshot',
] as const;

const CONTROLLER_KIND: Readonly<Record<string, (typeof DISK_CONTROLLERS)[number]>> = {
  ParaVirtualSCSIController: 'scsi',
  VirtualLsiLogicController: 'scsi',
  VirtualLsiLogicSASController: 'scsi',
  VirtualBusLogicController: 'scsi',
  VirtualAHCIController: 'sata',
  VirtualSATAController: 'sata',
  VirtualIDEController: 'ide',
  VirtualNVMEController: 'nvme',
};
const NIC_TYPES = new Set([
  'VirtualE1000',
  'VirtualE1000e',
  'VirtualPCNet32',
  'VirtualVmxnet',
  'VirtualVmxnet2',
  'VirtualVmxnet3',
  'VirtualVmxnet3Vrdma',
  'VirtualSriovEthernetCard',
]);

/**
 * The parts of a VM's answer `readDevices` reads: devices other than disks, NICs and disk
 * controllers, and every device's description, are left out as the answer is parsed (they are
 * three quarters of it).
 */
export const VM_ELEMENTS: Keep = ({ localName, xsiType }) =>
  localName === 'VirtualDevice'
    ? xsiType === 'VirtualDisk' ||
      NIC_TYPES.has(xsiType ?? '') ||
      Object.hasOwn(CONTROLLER_KIND, xsiType ?? '')
    : localName !== 'deviceInfo';

/** An integer as vSphere writes one; undefined for anything else, or one past exact numbers. */
const int = (el: Element | undefined) => {
  const t = el?.textContent.trim() ?? '';
  const n = /^-?\d+$/.test(t) ? Number(t) : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
};
/** A bus or unit number: small, as vSphere numbers them; no slot has one past 999. */
const slotNumber = (el: Element | undefined) => {
  const n = int(el);
  return n !== undefined && n >= 0 && n < 1000 ? n : undefined;
};
const bytes = (n: number | undefined) =>
  n !== undefined && n >= 0 && Number.isSafeInteger(n) ? n : undefined;
// The longest snapshot chain counted: what a VM description holds, well past vSphere's 32.
const MAX_CHAIN = 255;

/**
 * The disks and NICs in `config.hardware.device`: each disk with its controller slot, datastore
 * path, size (`capacityInBytes`, else `capacityInKB`) and snapshot chain length; each NIC with its
 * MAC and network (a standard network's name, or a distributed port group's key to look up).
 */
export function readDevices(devices: Element | undefined): {
  disks: VmDisk[];
  nics: (VmNic & { portgroupKey?: string })[];
} {
  const all = devices ? children(devices) : [];
  const controllers = new Map<number, { kind: (typeof DISK_CONTROLLERS)[number]; bus: number }>();
  for (const d of all) {
    const kind = CONTROLLER_KIND[xsiType(d) ?? ''];
    const key = int(child(d, 'key'));
    if (kind && key !== undefined)
      controllers.set(key, { kind, bus: slotNumber(child(d, 'busNumber')) ?? 0 });
  }
  const disks: VmDisk[] = [];
  const nics: (VmNic & { portgroupKey?: string })[] = [];
  for (const d of all) {
    const type = xsiType(d) ?? '';
    if (type === 'VirtualDisk') {
      const controller = controllers.get(int(child(d, 'controllerKey')) ?? -1);
      const kb = bytes(int(child(d, 'capacityInKB'))) ?? 0;
      const capacityBytes = bytes(int(child(d, 'capacityInBytes'))) ?? bytes(kb * 1024) ?? 0;
      let chainLength = 1;
      for (
        let b = child(d, 'backing');
        child(b as Element, 'parent') && chainLength < MAX_CHAIN;
        b = child(b as Element, 'parent')
      )
        chainLength++;
      disks.push({
        index: disks.length,
        controller: controller?.kind ?? 'scsi',
        slot: `${controller?.kind ?? 'scsi'}${controller?.bus ?? 0}:${slotNumber(child(d, 'unitNumber')) ?? 0}`,
        path: (text(path(d, 'backing', 'fileName')) ?? '').slice(0, 4096),
        capacityBytes,
        chainLength,
      });
    } else if (NIC_TYPES.has(type)) {
      const mac = text(child(d, 'macAddress'))?.toLowerCase() ?? null;
      const addressType = (text(child(d, 'addressType')) ?? '').toLowerCase();
      const backing = child(d, 'backing');
      const portgroupKey = text(path(backing, 'port', 'portgroupKey'));
      const network =
        text(child(backing, 'deviceName')) ??
        text(child(backing, 'opaqueNetworkId')) ??
        portgroupKey ??
        'unknown';
      nics.push({
        index: nics.length,
        mac: mac && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac) ? mac : null,
        macKind: !mac ? 'none' : addressType === 'manual' ? 'static' : 'generated',
        network: network.slice(0, 255),
        ...(portgroupKey ? { portgroupKey } : {}),
      });
    }
  }
  return { disks, nics };
}

/** Where a VM was read: its source, its key prefix, its datacenter and the hosts' names. */
export interface VmContext {
  readonly source: VmDescription['source'];
  readonly prefix: string;
  readonly datacenter: string;
  readonly hosts: ReadonlyMap<string, string>;
}

/** A VM as read, its NICs on distributed port groups naming them by key until the names are known. */
export interface Described {
  readonly vm: VmDescription;
  /** Each NIC's port group key, by NIC position (undefined on a standard network). */
  readonly portgroupKeys: readonly (string | undefined)[];
}

/** A count vSphere sends, held within what a VM description allows. */
const count = (el: Element | undefined, max: number) => Math.min(max, Math.max(1, int(el) ?? 1));
// A managed object reference that is no subject token (vSphere's are: `vm-42`, `7`) keys by its hash.
const keyPart = (moref: string) =>
  /^[A-Za-z0-9_:=-]{1,128}$/.test(moref)
    ? moref
    : `h${createHash('sha256').update(moref).digest('hex').slice(0, 24)}`;

/** A VM's description from its properties (VM_PROPERTIES), within the bounds of the contract. */
export function describeVm(
  vm: ObjectContent,
  { source, prefix, datacenter, hosts }: VmContext,
): Described {
  const { disks, nics } = readDevices(vm.props.get('config.hardware.device'));
  const p = (name: string) => text(vm.props.get(name));
  const power = p('runtime.powerState');
  const host = readMoRef(vm.props.get('runtime.host'));
  const uuid = p('config.uuid');
  const vmx = p('config.files.vmPathName');
  const kept = nics.slice(0, 32);
  const label = (value: string) => value.slice(0, 1024);
  return {
    vm: {
      key: `${prefix}-${keyPart(vm.obj.value)}`.slice(0, 160),
      name: (p('name') || vm.obj.value).slice(0, 255),
      source,
      ...(uuid ? { uuid: uuid.slice(0, 64) } : {}),
      cpus: count(vm.props.get('config.hardware.numCPU'), 4096),
      memoryMiB: count(vm.props.get('config.hardware.memoryMB'), 64 * 1024 * 1024),
      firmware: p('config.firmware') === 'efi' ? 'efi' : 'bios',
      secureBoot: p('config.bootOptions.efiSecureBootEnabled') === 'true',
      guestOs: (p('config.guestId') ?? 'other').slice(0, 128),
      powerState: power === 'poweredOn' || power === 'suspended' ? power : 'poweredOff',
      hasSnapshots: vm.props.has('snapshot') || disks.some((d) => (d.chainLength ?? 1) > 1),
      disks: disks.slice(0, 64),
      nics: kept.map(({ portgroupKey: _, ...nic }) => nic),
      labels: {
        moref: label(vm.obj.value),
        datacenter: label(datacenter),
        ...(vmx ? { vmx: label(vmx) } : {}),
        ...(host ? { host: label(hosts.get(host.value) ?? host.value) } : {}),
      },
    },
    portgroupKeys: kept.map((n) => n.portgroupKey),
  };
}
