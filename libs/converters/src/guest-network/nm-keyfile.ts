import { isIPv6 } from 'node:net';
import type { NicAddress } from '@ferry/contracts';
import { integer, macAddress, nicAddress, splitCidr } from './address.ts';
import type { GuestInterfaceConfig } from './guest-network.ts';

type Sections = Map<string, Map<string, string>>;

/** NetworkManager's keyfiles, `/etc/NetworkManager/system-connections/*.nmconnection`. */
export function keyfileInterfaces(text: string, file: string): GuestInterfaceConfig[] {
  const ini = sections(text);
  const connection = ini.get('connection');
  const type = connection?.get('type');
  // Bridges, bonds, VLANs, Wi-Fi and loopback are not a VM's NIC.
  if (type !== undefined && type !== 'ethernet' && type !== '802-3-ethernet') return [];
  const device = connection?.get('interface-name') || null;
  if (device === 'lo') return [];
  const ethernet = ini.get('ethernet') ?? ini.get('802-3-ethernet');
  const ipv4 = ini.get('ipv4');
  return [
    {
      device,
      mac: mac(ethernet?.get('mac-address')),
      dhcp: (ipv4?.get('method') ?? 'auto') === 'auto',
      addresses: [...addresses(ipv4), ...addresses(ini.get('ipv6'))],
      file,
    },
  ];
}

function sections(text: string): Sections {
  const result: Sections = new Map();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      const name = header[1] ?? '';
      current = result.get(name) ?? new Map<string, string>();
      result.set(name, current);
      continue;
    }
    const at = line.indexOf('=');
    if (current && at > 0)
      current.set(line.slice(0, at).trim(), unescape(line.slice(at + 1).trim()));
  }
  return result;
}

const ESCAPES: Readonly<Record<string, string>> = { s: ' ', n: '\n', t: '\t', r: '\r' };
const unescape = (value: string) => value.replace(/\\(.)/g, (_, c: string) => ESCAPES[c] ?? c);

/** `aa:bb:..`, with or without a trailing `;`, or the old list of decimal bytes `0;12;41;...`. */
function mac(value: string | undefined): string | null {
  const bytes = value?.replace(/;$/, '').split(';');
  if (bytes?.length === 6 && bytes.every((b) => /^\d{1,3}$/.test(b) && Number(b) <= 255))
    return bytes.map((b) => Number(b).toString(16).padStart(2, '0')).join(':');
  return macAddress(value?.replace(/;$/, ''));
}

/**
 * `address1=10.0.0.5/24,10.0.0.1`, `addresses=10.0.0.5/24;10.0.0.6/24;`, or the old
 * `addresses1=10.0.0.5;24;10.0.0.1;`. With no prefix NetworkManager assumes /24 (IPv4), /64 (IPv6).
 */
function addresses(section: Map<string, string> | undefined): NicAddress[] {
  const method = section?.get('method');
  if (!section || method === 'disabled' || method === 'ignore') return [];
  return [...section]
    .filter(([key]) => /^address(es)?\d*$/.test(key))
    .flatMap(([, value]) => {
      const parts = value.split(';').map((p) => p.trim());
      const [first = '', second = ''] = parts;
      const entries: [string, number | undefined][] =
        !first.includes('/') && /^\d+$/.test(second)
          ? [[first, integer(second)]]
          : parts
              .filter((p) => p !== '')
              .map((p) => {
                const { ip, prefix } = splitCidr(p.split(',')[0] ?? '');
                return [ip, prefix];
              });
      return entries.flatMap(([ip, prefix]) => {
        const address = nicAddress(ip, prefix ?? (isIPv6(ip) ? 64 : 24));
        return address ? [address] : [];
      });
    });
}
