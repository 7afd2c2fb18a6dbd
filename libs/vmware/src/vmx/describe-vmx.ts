import { DISK_CONTROLLERS, type FIRMWARES, type VmFacts } from '@ferry/contracts';
import { biosUuid } from './bios-uuid.ts';
import { RAW_DISK_TYPES, vmxFacts, type SlotDevice } from './vmx-facts.ts';

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
  /** The notes VMware keeps with the VM (`annotation`); empty when none. */
  readonly annotation: string;
  readonly guestOs: string;
  readonly cpus: number;
  readonly memoryMiB: number;
  readonly firmware: (typeof FIRMWARES)[number];
  readonly secureBoot: boolean;
  /** In vSphere's form (`564d1234-5678-9abc-def0-123456789abc`); undefined when malformed. */
  readonly uuid: string | undefined;
  readonly suspended: boolean;
  readonly disks: readonly VmxDisk[];
  /** CD-ROM and ISO devices: not disks to migrate, but worth telling the operator about. */
  readonly cdroms: readonly string[];
  readonly nics: readonly VmxNic[];
  readonly facts: VmFacts;
  /** Present devices in a disk slot that are neither carried nor a fact, said as problems. */
  readonly unsupported: readonly string[];
}

// Numbers as VMware writes them, without a leading zero and short: `scsi0:01` would name scsi0:1
// a second time, and a number of 20 digits no slot at all.
const SLOT = /^(scsi|sata|ide|nvme)(0|[1-9]\d{0,2}):(0|[1-9]\d{0,2})\.present$/;
const NIC = /^ethernet(0|[1-9]\d?)\.present$/;
const CDROM_TYPES = new Set(['cdrom-image', 'cdrom-raw', 'atapi-cdrom']);
// Physical disks (scsi-hardDisk, ata-hardDisk) are disks too; their device path then fails the root check.
const DISK_TYPES = new Set(['disk', 'scsi-harddisk', 'ata-harddisk', 'rawdisk']);
const MEMORY_FALLBACK_MIB = 256;

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
  const devices: SlotDevice[] = [];
  const unsupported: string[] = [];
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
    const kind = slotKind(deviceType, fileName);
    devices.push({ slot, bus: `${controller}${bus}`, deviceType, fileName, kind });
    if (kind === 'cdrom') cdroms.push(`${slot}: ${fileName || deviceType}`);
    else if (kind === 'disk') disks.push({ controller, slot, fileName });
    else if (kind === 'other')
      unsupported.push(
        deviceType === 'disk'
          ? `${slot}: a disk with no file, left out`
          : `${slot}: a "${deviceType.slice(0, 64)}" device, neither a disk nor a CD-ROM, left out`,
      );
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
  const memoryMiB = positive(get('memsize'), 0);
  const facts = vmxFacts(
    entries,
    devices,
    nics.map((n) => n.index),
  );
  return {
    name: get('displayname') ?? fallbackName,
    annotation: (get('annotation') ?? '').trim(),
    guestOs: get('guestos') ?? 'other',
    cpus: positive(get('numvcpus'), 1),
    memoryMiB: memoryMiB || MEMORY_FALLBACK_MIB,
    firmware,
    secureBoot: firmware === 'efi' && yes('uefi.secureboot.enabled'),
    uuid: biosUuid(get('uuid.bios')),
    suspended: (get('checkpoint.vmstate') ?? '') !== '',
    disks,
    cdroms,
    nics,
    // A memsize that is no size says as little as none: the fallback is a guess either way.
    facts: memoryMiB ? facts : { ...facts, memoryAssumed: true },
    unsupported,
  };
}

// A scsi-passthru device is the host's, whatever file it names; a plain disk without a .vmdk is
// not carried, but named among the raw disks.
function slotKind(deviceType: string, fileName: string): SlotDevice['kind'] {
  if (deviceType === 'scsi-passthru') return 'passthru';
  if (CDROM_TYPES.has(deviceType) || /\.iso$/i.test(fileName)) return 'cdrom';
  if (fileName !== '' && (DISK_TYPES.has(deviceType) || /\.vmdk$/i.test(fileName))) return 'disk';
  return RAW_DISK_TYPES.has(deviceType) ? 'raw' : 'other';
}

const positive = (value: string | undefined, fallback: number) => {
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
};

function normalizeMac(value: string | undefined): string | null {
  const mac = value?.trim().toLowerCase().replace(/-/g, ':');
  return mac && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac) ? mac : null;
}
