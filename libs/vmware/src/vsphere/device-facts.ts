import type { VmFacts } from '@ferry/contracts';
import { child, children, path, text, type Element } from './xml.ts';

/** What a VM's devices (and the datastores it uses) tell the pre-flight rules. */
export type DeviceFacts = Pick<
  VmFacts,
  | 'passthrough'
  | 'sriov'
  | 'rawDiskMappings'
  | 'sharedDisks'
  | 'independentDisks'
  | 'usbControllers'
  | 'vtpm'
  | 'missingDatastores'
>;

/** A disk as readDevices found it: its device, its slot, and whether its controller's bus is shared. */
export interface FoundDisk {
  readonly device: Element;
  readonly slot: string;
  readonly sharedBus: boolean;
}

const PASSTHROUGH = new Set(['VirtualPCIPassthrough', 'VirtualSCSIPassthrough']);
const USB_CONTROLLERS = new Set(['VirtualUSBController', 'VirtualUSBXHCIController']);
const SRIOV = 'VirtualSriovEthernetCard';
const TPM = 'VirtualTPM';
// Backings whose data is on a LUN or a host's own disk, not in a datastore file.
const RAW_BACKINGS = new Set([
  'VirtualDiskRawDiskMappingVer1BackingInfo',
  'VirtualDiskRawDiskVer2BackingInfo',
  'VirtualDiskPartitionedRawDiskVer2BackingInfo',
]);
const INDEPENDENT = new Set(['independent_persistent', 'independent_nonpersistent']);
// What the contract's lists and counts hold.
const MAX_LISTED = 64;
const MAX_USB = 16;
// Snapshot parents looked through for their datastores: as many as readDevices counts.
const MAX_CHAIN = 255;

/** Device types read for their facts alone. */
export const FACT_DEVICES: ReadonlySet<string> = new Set([...PASSTHROUGH, ...USB_CONTROLLERS, TPM]);
/** Device types a fact names by label: of all devices, only their `deviceInfo` is read. */
export const LABELLED_DEVICES: ReadonlySet<string> = new Set([...PASSTHROUGH, SRIOV]);

/** Whether a controller's bus is shared with other VMs (`sharedBus` other than `noSharing`). */
export const sharesBus = (controller: Element) => {
  const bus = text(child(controller, 'sharedBus'))?.trim();
  return !!bus && bus !== 'noSharing';
};

/** A device as vSphere names it to people (`PCI device 0`), else by its key. */
function label(device: Element): string {
  const named = text(path(device, 'deviceInfo', 'label'))?.trim();
  const key = text(child(device, 'key'))?.trim();
  return (named || (key ? `device ${key}` : (device.xsiType ?? 'device'))).slice(0, 255);
}

const DATASTORE = /^\[([^\]]+)\]/;

/**
 * The facts of `all` (`config.hardware.device`) and of its `disks`: passthrough devices and SR-IOV
 * NICs by label, raw, shared and independent disks by slot, USB controllers counted, a TPM. With
 * `datastores` (the VM's `datastore` property), the datastores named in a disk's backing chain whose
 * reference is not among them (or that no reference resolves): a reference check, no call more.
 */
export function deviceFacts(
  all: readonly Element[],
  disks: readonly FoundDisk[],
  datastores: Element | undefined,
): DeviceFacts {
  const passthrough: string[] = [];
  const sriov: string[] = [];
  let usbControllers = 0;
  let vtpm = false;
  for (const d of all) {
    const type = d.xsiType ?? '';
    if (PASSTHROUGH.has(type)) passthrough.push(label(d));
    else if (type === SRIOV) sriov.push(label(d));
    else if (USB_CONTROLLERS.has(type)) usbControllers++;
    else if (type === TPM) vtpm = true;
  }
  const raw: string[] = [];
  const shared: string[] = [];
  const independent: string[] = [];
  const used =
    datastores &&
    new Set(
      children(datastores)
        .map((r) => r.textContent.trim())
        .filter(Boolean),
    );
  const missing = new Set<string>();
  for (const { device, slot, sharedBus } of disks) {
    const backing = child(device, 'backing');
    if (RAW_BACKINGS.has(backing?.xsiType ?? '')) raw.push(slot);
    if (sharedBus || text(child(backing, 'sharing'))?.trim() === 'sharingMultiWriter')
      shared.push(slot);
    if (INDEPENDENT.has(text(child(backing, 'diskMode'))?.trim() ?? '')) independent.push(slot);
    if (!used) continue;
    for (let b = backing, n = 0; b && n < MAX_CHAIN; b = child(b, 'parent'), n++) {
      const name = DATASTORE.exec(text(child(b, 'fileName'))?.trim() ?? '')?.[1];
      if (name && !used.has(text(child(b, 'datastore'))?.trim() ?? ''))
        missing.add(name.slice(0, 255));
    }
  }
  const listed = (items: Iterable<string>) => [...items].slice(0, MAX_LISTED);
  return {
    passthrough: listed(passthrough),
    sriov: listed(sriov),
    rawDiskMappings: listed(raw),
    sharedDisks: listed(shared),
    independentDisks: listed(independent),
    usbControllers: Math.min(usbControllers, MAX_USB),
    vtpm,
    ...(used ? { missingDatastores: listed(missing) } : {}),
  };
}
