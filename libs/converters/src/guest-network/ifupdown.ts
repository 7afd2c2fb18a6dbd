import { isIPv6 } from 'node:net';
import type { NicAddress } from '@ferry/contracts';
import { macAddress, nicAddress, prefixOfNetmask, splitCidr } from './address.ts';
import type { GuestInterfaceConfig } from './guest-network.ts';

const STANZA = /^(iface|mapping|auto|allow-\S+|source|source-directory|no-auto-down|no-scripts)$/;
// A bridge, bond or VLAN: its addresses are not one NIC's own.
const VIRTUAL = /^(bridge[-_]ports|bond[-_]slaves|bond[-_]master|vlan[-_]raw[-_]device)$/;

interface Iface {
  device: string;
  mac: string | null;
  dhcp: boolean;
  addresses: NicAddress[];
  virtual: boolean;
}

/** Debian's and Ubuntu's ifupdown `/etc/network/interfaces` and `interfaces.d/*`. */
export function ifupdownInterfaces(text: string, file: string): GuestInterfaceConfig[] {
  const ifaces = new Map<string, Iface>();
  let current: { iface: Iface; static: boolean; addresses: string[]; netmask?: string } | null =
    null;
  const close = () => {
    if (current?.static) current.iface.addresses.push(...staticAddresses(current));
    current = null;
  };
  for (const line of logicalLines(text)) {
    const [keyword = '', ...args] = line.split(/\s+/);
    if (STANZA.test(keyword)) {
      close();
      const [name = '', family, method] = args;
      // eth0:1 is an alias of eth0; eth0.100 a VLAN on it.
      const device = name.split(':')[0] ?? '';
      if (keyword !== 'iface' || !device || device === 'lo' || device.includes('.')) continue;
      const iface = ifaces.get(device) ?? {
        device,
        mac: null,
        dhcp: false,
        addresses: [],
        virtual: false,
      };
      ifaces.set(device, iface);
      if (family === 'inet' && method === 'dhcp') iface.dhcp = true;
      const isStatic = (family === 'inet' || family === 'inet6') && method === 'static';
      current = { iface, static: isStatic, addresses: [] };
    } else if (current) {
      const value = args.join(' ');
      if (keyword === 'address') current.addresses.push(value);
      else if (keyword === 'netmask') current.netmask = value;
      else if (keyword === 'hwaddress') current.iface.mac ??= macAddress(args.at(-1));
      else if (VIRTUAL.test(keyword)) current.iface.virtual = true;
    }
  }
  close();
  return [...ifaces.values()]
    .filter((i) => !i.virtual)
    .map((i) => ({ device: i.device, mac: i.mac, dhcp: i.dhcp, addresses: i.addresses, file }));
}

/**
 * An address with no prefix and no netmask gets what `ip addr add`, which ifupdown runs, gives
 * it: a host route (/32, /128).
 */
function staticAddresses(stanza: { addresses: string[]; netmask?: string }): NicAddress[] {
  return stanza.addresses.flatMap((text) => {
    const { ip, prefix } = splitCidr(text);
    const fallback =
      stanza.netmask !== undefined ? prefixOfNetmask(stanza.netmask) : isIPv6(ip) ? 128 : 32;
    const address = nicAddress(ip, prefix ?? fallback);
    return address ? [address] : [];
  });
}

/** Lines without comments, blanks and `\` continuations. */
function logicalLines(text: string): string[] {
  return text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}
