import { parseDocument } from 'yaml';
import type { NicAddress } from '@ferry/contracts';
import { macAddress, nicAddress, splitCidr } from './address.ts';
import type { GuestInterfaceConfig } from './guest-network.ts';

type Mapping = Readonly<Record<string, unknown>>;
const isMapping = (v: unknown): v is Mapping =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Ubuntu's netplan `/etc/netplan/*.yaml`: `network.ethernets` (bridges, bonds, VLANs are not a NIC's own). */
export function netplanInterfaces(source: string, file: string): GuestInterfaceConfig[] {
  const network = document(source)?.['network'];
  const ethernets = isMapping(network) ? network['ethernets'] : undefined;
  if (!isMapping(ethernets)) return [];
  return Object.entries(ethernets).flatMap(([id, value]) => {
    if (!isMapping(value)) return [];
    const match = isMapping(value['match']) ? value['match'] : undefined;
    const matchName = text(match?.['name']);
    // Without `match` the id is the kernel's name; with it, only set-name or a name with no glob is.
    const device =
      text(value['set-name']) ??
      (match ? (matchName && !/[*?[]/.test(matchName) ? matchName : null) : id);
    if (device === 'lo') return [];
    return [
      {
        device,
        mac: macAddress(text(match?.['macaddress'])),
        dhcp: yes(value['dhcp4']),
        addresses: addresses(value['addresses']),
        file,
      },
    ];
  });
}

function document(source: string): Mapping | undefined {
  try {
    const doc = parseDocument(source, { logLevel: 'silent' });
    if (doc.errors.length > 0) return undefined;
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    return isMapping(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

// netplan reads YAML 1.1 booleans.
const yes = (v: unknown): boolean =>
  v === true || (typeof v === 'string' && /^(true|yes|on|y)$/i.test(v));

/** `[10.0.0.5/24]`, or entries with options (`- 10.0.0.5/24: { label: x }`); netplan demands the prefix. */
function addresses(list: unknown): NicAddress[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry: unknown) => {
    const cidr = isMapping(entry) ? Object.keys(entry)[0] : text(entry);
    const { ip, prefix } = splitCidr(cidr ?? '');
    const address = nicAddress(ip, prefix);
    return address ? [address] : [];
  });
}
