import type { VmFacts } from '@ferry/contracts';

/** A present device in a controller slot, and what describeVmx made of it. */
export interface SlotDevice {
  /** `scsi0:1` */
  readonly slot: string;
  /** `scsi0`: the controller and bus the slot is on. */
  readonly bus: string;
  /** In lower case; `disk` when the .vmx names none. */
  readonly deviceType: string;
  readonly fileName: string;
  /** `disk`: carried as a disk; `raw`: a raw or plain disk with no .vmdk, only named in the facts. */
  readonly kind: 'disk' | 'raw' | 'cdrom' | 'passthru' | 'other';
}

const PCI = /^pcipassthru(0|[1-9]\d?)\.present$/;
const USB_CONTROLLERS = ['usb.present', 'ehci.present', 'usb_xhci.present'];
/** Device types of a disk that is the host's: a raw device mapping or a physical disk. */
export const RAW_DISK_TYPES = new Set(['rawdisk', 'plaindisk']);
const MAX_LISTED = 64;

/** What the .vmx declares beyond disks and NICs; a field only where the .vmx says something of it. */
export function vmxFacts(
  entries: ReadonlyMap<string, string>,
  devices: readonly SlotDevice[],
  nicIndexes: readonly number[],
): VmFacts {
  const get = (key: string) => entries.get(key)?.toLowerCase();
  const yes = (key: string) => /^(true|yes|1)$/.test(get(key) ?? '');
  const no = (key: string) => /^(false|no|0)$/.test(get(key) ?? '');
  const flag = (key: string) => (entries.has(key) ? yes(key) : undefined);

  const pci = [...entries.keys()]
    .flatMap((k) => {
      const m = PCI.exec(k);
      return m && yes(k) ? [Number(m[1])] : [];
    })
    .sort((a, b) => a - b);
  // A virtual function of a physical NIC is SR-IOV, not a whole device passed through.
  const isVf = (n: number) => entries.has(`pcipassthru${n}.pfid`);
  const pciName = (n: number) =>
    [
      `pciPassthru${n}`,
      ...['id', 'deviceId'].flatMap((field) => {
        const value = entries.get(`pcipassthru${n}.${field.toLowerCase()}`);
        return value ? [`${field}=${value}`] : [];
      }),
    ].join(' ');

  const disks = devices.filter((d) => d.kind === 'disk' || d.kind === 'raw');
  const diskLocking = no('disk.locking');
  const usb = USB_CONTROLLERS.filter((k) => entries.has(k));
  const usbPresent = usb.filter(yes).length;
  const cpuHotAdd = flag('vcpu.hotadd');
  const memoryHotAdd = flag('mem.hotadd');
  const vtpm = flag('vtpm.present');
  return {
    ...listed('passthrough', [
      ...pci.filter((n) => !isVf(n)).map(pciName),
      ...devices.filter((d) => d.kind === 'passthru').map((d) => `${d.slot} scsi-passthru`),
    ]),
    ...listed('sriov', [
      ...nicIndexes
        .filter((n) => get(`ethernet${n}.virtualdev`) === 'sriov')
        .map((n) => `ethernet${n}`),
      ...pci.filter(isVf).map((n) => `pciPassthru${n}`),
    ]),
    ...listed(
      'rawDiskMappings',
      disks
        .filter((d) => RAW_DISK_TYPES.has(d.deviceType) || /-rdmp?\.vmdk$/i.test(d.fileName))
        .map((d) => d.slot),
    ),
    ...listed(
      'sharedDisks',
      disks
        .filter(
          (d) =>
            diskLocking ||
            get(`${d.slot}.sharing`) === 'multi-writer' ||
            /^(virtual|physical)$/.test(get(`${d.bus}.sharedbus`) ?? ''),
        )
        .map((d) => d.slot),
    ),
    ...listed(
      'independentDisks',
      disks
        .filter((d) => /^independent-(non)?persistent$/.test(get(`${d.slot}.mode`) ?? ''))
        .map((d) => d.slot),
    ),
    ...(usb.length ? { usbControllers: usbPresent } : {}),
    ...(vtpm === undefined ? {} : { vtpm }),
    ...(cpuHotAdd === undefined ? {} : { cpuHotAdd }),
    ...(memoryHotAdd === undefined ? {} : { memoryHotAdd }),
  };
}

// As many as a description holds, the last naming how many more there are: none vanishes unsaid.
function listed<K extends string>(field: K, items: readonly string[]) {
  if (items.length === 0) return {};
  const shown =
    items.length <= MAX_LISTED
      ? items
      : [...items.slice(0, MAX_LISTED - 1), `and ${items.length - MAX_LISTED + 1} more`];
  return { [field]: shown.map((item) => item.slice(0, 255)) } as Record<K, string[]>;
}
