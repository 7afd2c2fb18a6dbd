import type { DISK_CONTROLLERS } from '@ferry/contracts';
import { type VmDisk, type VmNic } from '@ferry/contracts';
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

const int = (el: Element | undefined) => (el?.textContent ? Number(el.textContent) : undefined);

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
      controllers.set(key, { kind, bus: int(child(d, 'busNumber')) ?? 0 });
  }
  const disks: VmDisk[] = [];
  const nics: (VmNic & { portgroupKey?: string })[] = [];
  for (const d of all) {
    const type = xsiType(d) ?? '';
    if (type === 'VirtualDisk') {
      const controller = controllers.get(int(child(d, 'controllerKey')) ?? -1);
      const bytes = int(child(d, 'capacityInBytes')) ?? (int(child(d, 'capacityInKB')) ?? 0) * 1024;
      let chainLength = 1;
      for (
        let b = child(d, 'backing');
        child(b as Element, 'parent');
        b = child(b as Element, 'parent')
      )
        chainLength++;
      disks.push({
        index: disks.length,
        controller: controller?.kind ?? 'scsi',
        slot: `${controller?.kind ?? 'scsi'}${controller?.bus ?? 0}:${int(child(d, 'unitNumber')) ?? 0}`,
        path: text(path(d, 'backing', 'fileName')) ?? '',
        capacityBytes: bytes,
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
        network,
        ...(portgroupKey ? { portgroupKey } : {}),
      });
    }
  }
  return { disks, nics };
}
