import { createHash } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { DISK_CONTROLLERS, NicAddress, VmFacts } from '@ferry/contracts';
import { MAX_VM_DISKS, type VmDescription, type VmDisk, type VmNic } from '@ferry/contracts';
import { biosUuid } from '../vmx/bios-uuid.ts';
import {
  deviceFacts,
  FACT_DEVICES,
  LABELLED_DEVICES,
  sharesBus,
  type DeviceFacts,
  type FoundDisk,
} from './device-facts.ts';
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
  'config.cpuHotAddEnabled',
  'config.memoryHotAddEnabled',
  'config.annotation',
  'customValue',
  'availableField',
  'runtime.powerState',
  'runtime.host',
  'snapshot',
  'guest.net',
  'guest.hostName',
  'datastore',
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

const UNREAD = new Set(['deviceInfo', 'dnsConfig', 'netBIOSConfig']);

/**
 * The parts of a VM's answer `readDevices` reads: devices other than disks, NICs, disk controllers
 * and those with facts, the descriptions of devices not named by label, and the guest NICs' DNS and
 * NetBIOS settings are left out as the answer is parsed (they are three quarters of it).
 */
export const VM_ELEMENTS: Keep = ({ localName, xsiType }, parent) =>
  localName === 'VirtualDevice'
    ? xsiType === 'VirtualDisk' ||
      NIC_TYPES.has(xsiType ?? '') ||
      Object.hasOwn(CONTROLLER_KIND, xsiType ?? '') ||
      FACT_DEVICES.has(xsiType ?? '')
    : localName === 'deviceInfo'
      ? LABELLED_DEVICES.has(parent?.xsiType ?? '')
      : !UNREAD.has(localName);

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

const MAX_ADDRESSES = 16;
// What a migrated guest could not keep: loopback, link-local and unspecified addresses.
const NOT_KEPT = new BlockList();
NOT_KEPT.addSubnet('127.0.0.0', 8, 'ipv4');
NOT_KEPT.addSubnet('169.254.0.0', 16, 'ipv4');
NOT_KEPT.addAddress('0.0.0.0', 'ipv4');
NOT_KEPT.addSubnet('fe80::', 10, 'ipv6');
NOT_KEPT.addAddress('::1', 'ipv6');
NOT_KEPT.addAddress('::', 'ipv6');

/** An address as the contract holds it (IPv6 in its canonical form), if it is one a guest keeps. */
function address(raw: string | undefined, prefix: number | undefined): NicAddress | undefined {
  const ip = raw?.trim() ?? '';
  // A zone index (`%eth0`) scopes an address to one host: never one to keep.
  const version = ip.includes('%') ? 0 : isIP(ip);
  if (version === 0 || prefix === undefined || prefix < 0 || prefix > (version === 4 ? 32 : 128))
    return undefined;
  if (NOT_KEPT.check(ip, version === 4 ? 'ipv4' : 'ipv6')) return undefined;
  return { ip: version === 4 ? ip : new URL(`http://[${ip}]/`).hostname.slice(1, -1), prefix };
}

/**
 * One guest NIC's addresses (a `GuestNicInfo`), added to `into` up to the bound: `ipConfig`'s,
 * with their prefixes; only when it lists none, the older `ipAddress` strings, which carry no
 * prefix and so are taken as host addresses (/32, /128).
 */
function addGuestAddresses(info: Element, into: NicAddress[]) {
  const config = child(info, 'ipConfig');
  const configured = config ? children(config, 'ipAddress') : [];
  const found = configured.length
    ? configured.map((a) => address(text(child(a, 'ipAddress')), int(child(a, 'prefixLength'))))
    : children(info, 'ipAddress').map((a) => {
        const ip = text(a)?.trim() ?? '';
        return address(ip, isIP(ip) === 4 ? 32 : 128);
      });
  for (const a of found) {
    if (into.length === MAX_ADDRESSES) return;
    if (a && !into.some((b) => b.ip === a.ip)) into.push(a);
  }
}

const append = <K>(map: Map<K, Element[]>, at: K, info: Element) => {
  const list = map.get(at);
  if (list) list.push(info);
  else map.set(at, [info]);
};

/** Custom attribute values by the attribute's name (`availableField`), at most 64 of them. */
function customAttributes(
  values: Element | undefined,
  fields: Element | undefined,
): Record<string, string> | undefined {
  const names = new Map<string, string>();
  for (const def of fields ? children(fields) : [])
    names.set(text(child(def, 'key'))?.trim() ?? '', text(child(def, 'name')) ?? '');
  const attributes: Record<string, string> = {};
  for (const value of (values ? children(values) : []).slice(0, 64)) {
    const key = text(child(value, 'key'))?.trim() ?? '';
    const name = (names.get(key) || `field-${key}`).slice(0, 255);
    attributes[name] = (text(child(value, 'value')) ?? '').slice(0, 1024);
  }
  return Object.keys(attributes).length > 0 ? attributes : undefined;
}

/**
 * The addresses VMware Tools report (`guest.net`) for each NIC: those of the guest NICs naming its
 * device key as `deviceConfigId`, else of those with its MAC that name no other NIC (older Tools,
 * and interfaces the guest builds on top of a NIC, give -1). Empty where Tools report none.
 */
function guestAddresses(
  net: Element | undefined,
  nics: readonly { key: number | undefined; mac: string | null }[],
): NicAddress[][] {
  const keys = new Set(nics.map((n) => n.key));
  const byKey = new Map<number, Element[]>();
  const byMac = new Map<string, Element[]>();
  for (const info of net ? children(net) : []) {
    const key = int(child(info, 'deviceConfigId'));
    const mac = text(child(info, 'macAddress'))?.trim().toLowerCase();
    if (key !== undefined && keys.has(key)) append(byKey, key, info);
    else if (mac) append(byMac, mac, info);
  }
  // Read once per group: NICs sharing a MAC share its guest NICs.
  const read = new Map<Element[], NicAddress[]>();
  return nics.map(({ key, mac }) => {
    const infos = (key === undefined ? undefined : byKey.get(key)) ?? byMac.get(mac ?? '');
    if (!infos) return [];
    let out = read.get(infos);
    if (!out) {
      out = [];
      for (const info of infos) addGuestAddresses(info, out);
      read.set(infos, out);
    }
    return out;
  });
}

/**
 * The disks and NICs in `config.hardware.device`: each disk with its controller slot, datastore
 * path, size (`capacityInBytes`, else `capacityInKB`) and snapshot chain length; each NIC with its
 * MAC, network (a standard network's name, or a distributed port group's key to look up) and the
 * addresses VMware Tools report for it in `guestNet` (`guest.net`), if any; and the facts of the
 * devices (`deviceFacts`, with `datastores`, the VM's `datastore`), none without `devices`.
 */
export function readDevices(
  devices: Element | undefined,
  guestNet?: Element,
  datastores?: Element,
): {
  disks: VmDisk[];
  nics: (VmNic & { portgroupKey?: string })[];
  facts: DeviceFacts;
} {
  const all = devices ? children(devices) : [];
  const controllers = new Map<
    number,
    { kind: (typeof DISK_CONTROLLERS)[number]; bus: number; shared: boolean }
  >();
  for (const d of all) {
    const kind = CONTROLLER_KIND[xsiType(d) ?? ''];
    const key = int(child(d, 'key'));
    if (kind && key !== undefined)
      controllers.set(key, {
        kind,
        bus: slotNumber(child(d, 'busNumber')) ?? 0,
        shared: sharesBus(d),
      });
  }
  const found: FoundDisk[] = [];
  const disks: VmDisk[] = [];
  const nics: (VmNic & { portgroupKey?: string })[] = [];
  const nicKeys: (number | undefined)[] = [];
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
      const slot = `${controller?.kind ?? 'scsi'}${controller?.bus ?? 0}:${slotNumber(child(d, 'unitNumber')) ?? 0}`;
      found.push({ device: d, slot, sharedBus: controller?.shared ?? false });
      disks.push({
        index: disks.length,
        controller: controller?.kind ?? 'scsi',
        slot,
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
      nicKeys.push(int(child(d, 'key')));
    }
  }
  const addresses = guestAddresses(
    guestNet,
    nics.map((n, i) => ({ key: nicKeys[i], mac: n.mac })),
  );
  return {
    disks,
    nics: nics.map((nic, i) => {
      const seen = addresses[i] ?? [];
      return seen.length ? { ...nic, addresses: [...seen], addressSource: 'guest-tools' } : nic;
    }),
    facts: devices ? deviceFacts(all, found, datastores) : {},
  };
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

const flag = (el: Element | undefined) => {
  const t = el?.textContent.trim();
  return t === 'true' ? true : t === 'false' ? false : undefined;
};

/** What the VM's settings and its guest say: hot-add, whether its memory size was given, its host name. */
function configFacts({ props }: ObjectContent): Omit<VmFacts, keyof DeviceFacts> {
  const cpuHotAdd = flag(props.get('config.cpuHotAddEnabled'));
  const memoryHotAdd = flag(props.get('config.memoryHotAddEnabled'));
  const hostname = text(props.get('guest.hostName'))?.trim();
  return {
    ...(cpuHotAdd === undefined ? {} : { cpuHotAdd }),
    ...(memoryHotAdd === undefined ? {} : { memoryHotAdd }),
    memoryAssumed: (int(props.get('config.hardware.memoryMB')) ?? 0) < 1,
    ...(hostname ? { hostname: hostname.slice(0, 255) } : {}),
  };
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
  const { disks, nics, facts } = readDevices(
    vm.props.get('config.hardware.device'),
    vm.props.get('guest.net'),
    vm.props.get('datastore'),
  );
  const p = (name: string) => text(vm.props.get(name));
  const power = p('runtime.powerState');
  const host = readMoRef(vm.props.get('runtime.host'));
  // In the form a .vmx's is read in, so one VM seen from both sources has one id.
  const uuid = biosUuid(p('config.uuid'));
  const vmx = p('config.files.vmPathName');
  const kept = nics.slice(0, 32);
  const annotation = p('config.annotation')?.trim();
  const attributes = customAttributes(vm.props.get('customValue'), vm.props.get('availableField'));
  const label = (value: string) => value.slice(0, 1024);
  return {
    vm: {
      key: `${prefix}-${keyPart(vm.obj.value)}`.slice(0, 160),
      name: (p('name') || vm.obj.value).slice(0, 255),
      source,
      ...(uuid ? { uuid } : {}),
      cpus: count(vm.props.get('config.hardware.numCPU'), 4096),
      memoryMiB: count(vm.props.get('config.hardware.memoryMB'), 64 * 1024 * 1024),
      firmware: p('config.firmware') === 'efi' ? 'efi' : 'bios',
      secureBoot: p('config.bootOptions.efiSecureBootEnabled') === 'true',
      guestOs: (p('config.guestId') ?? 'other').slice(0, 128),
      powerState: power === 'poweredOn' || power === 'suspended' ? power : 'poweredOff',
      hasSnapshots: vm.props.has('snapshot') || disks.some((d) => (d.chainLength ?? 1) > 1),
      disks: disks.slice(0, MAX_VM_DISKS),
      nics: kept.map(({ portgroupKey: _, ...nic }) => nic),
      labels: {
        moref: label(vm.obj.value),
        datacenter: label(datacenter),
        ...(vmx ? { vmx: label(vmx) } : {}),
        ...(host ? { host: label(hosts.get(host.value) ?? host.value) } : {}),
      },
      facts: { ...facts, ...configFacts(vm) },
      ...(annotation ? { annotation: annotation.slice(0, 8192) } : {}),
      ...(attributes ? { attributes } : {}),
    },
    portgroupKeys: kept.map((n) => n.portgroupKey),
  };
}
