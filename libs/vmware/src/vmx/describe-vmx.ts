import { DISK_CONTROLLERS, type FIRMWARES } from '@ferry/contracts';

type Controller = (typeof DISK_CONTROLLERS)[number];

export interface VmxDisk {
  readonly controller: Controller;
  /** `scsi0:1`, as the .vmx names the slot. */
  readonly slot: string;
  readonly fileName: string;
}

export interface VmxNic {
  readonly index: number;
  readonly mac: string | null;
  readonly macKind: 'static' | 'generated' | 'none';
  readonly network: string;
}

export interface VmxDescription {
  readonly name: string;
  readonly guestOs: string;
  readonly cpus: number;
  readonly memoryMiB: number;
  readonly firmware: (typeof FIRMWARES)[number];
  readonly secureBoot: boolean;
  readonly uuid: string | undefined;
  readonly suspended: boolean;
  readonly disks: readonly VmxDisk[];
  /** CD-ROM and ISO devices: not disks to migrate, but worth telling the operator about. */
  readonly cdroms: readonly string[];
  readonly nics: readonly VmxNic[];
}

// Numbers as VMware writes them, without a leading zero and short: `scsi0:01` would name scsi0:1
// a second time, and a number of 20 digits no slot at all.
const SLOT = /^(scsi|sata|ide|nvme)(0|[1-9]\d{0,2}):(0|[1-9]\d{0,2})\.present$/;
const NIC = /^ethernet(0|[1-9]\d?)\.present$/;
const CDROM_TYPES = new Set(['cdrom-image', 'cdrom-raw', 'atapi-cdrom']);
// Physical disks (scsi-hardDisk, ata-hardDisk) are disks too; their device path then fails the root check.
const DISK_TYPES = new Set(['disk', 'scsi-harddisk', 'ata-harddisk', 'rawdisk']);

/** What a parsed .vmx says about the VM: hardware, disks by controller slot, NICs, firmware, state. */
export function describeVmx(
  entries: ReadonlyMap<string, string>,
  fallbackName: string,
): VmxDescription {
  const get = (key: string) => entries.get(key);
  const yes = (key: string) => /^(true|yes|1)$/i.test(get(key) ?? '');
  const disks: VmxDisk[] = [];
  const cdroms: string[] = [];
  const nics: VmxNic[] = [];
  const slots = [...entries.keys()].flatMap((k) => {
    const m = SLOT.exec(k);
    return m ? [{ controller: m[1] as Controller, bus: Number(m[2]), unit: Number(m[3]) }] : [];
  });
  slots.sort(
    (a, b) =>
      DISK_CONTROLLERS.indexOf(a.controller) - DISK_CONTROLLERS.indexOf(b.controller) ||
      a.bus - b.bus ||
      a.unit - b.unit,
  );
  for (const { controller, bus, unit } of slots) {
    const slot = `${controller}${bus}:${unit}`;
    // The controller itself must be present too, not only the device on it.
    if (
      !yes(`${slot}.present`) ||
      (get(`${controller}${bus}.present`) !== undefined && !yes(`${controller}${bus}.present`))
    )
      continue;
    const deviceType = (get(`${slot}.devicetype`) ?? 'disk').toLowerCase();
    const fileName = get(`${slot}.filename`) ?? '';
    if (CDROM_TYPES.has(deviceType) || /\.iso$/i.test(fileName))
      cdroms.push(`${slot}: ${fileName || deviceType}`);
    else if (fileName !== '' && (DISK_TYPES.has(deviceType) || /\.vmdk$/i.test(fileName)))
      disks.push({ controller, slot, fileName });
  }
  const nicIndexes = [...entries.keys()].flatMap((k) => {
    const m = NIC.exec(k);
    return m ? [Number(m[1])] : [];
  });
  for (const index of nicIndexes.sort((a, b) => a - b)) {
    const p = `ethernet${index}`;
    if (!yes(`${p}.present`)) continue;
    const addressType = (get(`${p}.addresstype`) ?? 'generated').toLowerCase();
    const isStatic = addressType === 'static';
    const mac = normalizeMac(isStatic ? get(`${p}.address`) : get(`${p}.generatedaddress`));
    const connection = get(`${p}.connectiontype`) ?? 'bridged';
    const network = connection === 'custom' ? (get(`${p}.vnet`) ?? 'custom') : connection;
    nics.push({
      index,
      mac,
      macKind: mac === null ? 'none' : isStatic ? 'static' : 'generated',
      network: get(`${p}.networkname`) ?? network,
    });
  }
  const firmware = (get('firmware') ?? 'bios').toLowerCase() === 'efi' ? 'efi' : 'bios';
  return {
    name: get('displayname') ?? fallbackName,
    guestOs: get('guestos') ?? 'other',
    cpus: positive(get('numvcpus'), 1),
    memoryMiB: positive(get('memsize'), 256),
    firmware,
    secureBoot: firmware === 'efi' && yes('uefi.secureboot.enabled'),
    uuid: get('uuid.bios'),
    suspended: (get('checkpoint.vmstate') ?? '') !== '',
    disks,
    cdroms,
    nics,
  };
}

const positive = (value: string | undefined, fallback: number) => {
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
};

function normalizeMac(value: string | undefined): string | null {
  const mac = value?.trim().toLowerCase().replace(/-/g, ':');
  return mac && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac) ? mac : null;
}
