import { isIPv6 } from 'node:net';
import type { NicAddress } from '@ferry/contracts';
import {
  classfulPrefix,
  integer,
  macAddress,
  nicAddress,
  prefixOfNetmask,
  splitCidr,
} from './address.ts';
import type { GuestInterfaceConfig } from './guest-network.ts';

/** RHEL's `/etc/sysconfig/network-scripts/ifcfg-*` (and SUSE's `/etc/sysconfig/network/ifcfg-*`). */
export function ifcfgInterfaces(text: string, file: string): GuestInterfaceConfig[] {
  const vars = variables(text);
  const type = vars.get('TYPE')?.toLowerCase();
  if ((type !== undefined && type !== 'ethernet') || /^yes$/i.test(vars.get('VLAN') ?? ''))
    return [];
  // eth0:1 is an alias of eth0; eth0.100 a VLAN on it.
  const named = file.slice(file.lastIndexOf('/') + 1).replace(/^ifcfg-/, '');
  const device = (vars.get('DEVICE') || named).split(':')[0] ?? '';
  if (device === '' || device === 'lo' || device.includes('.')) return [];
  return [
    {
      device,
      mac: macAddress(vars.get('HWADDR')),
      dhcp: /^(dhcp4?|bootp)\b/i.test(vars.get('BOOTPROTO') ?? ''),
      addresses: [...ipv4Addresses(vars), ...ipv6Addresses(vars)],
      file,
    },
  ];
}

/**
 * `IPADDR`, `IPADDR0`, `IPADDR1`... (SUSE: `IPADDR_x`), each with the `PREFIX`/`NETMASK` of the
 * same suffix; with neither, the address's class, as RHEL's tools assume.
 */
function ipv4Addresses(vars: Map<string, string>): NicAddress[] {
  const suffixes = [...vars.keys()]
    .map((key) => /^IPADDR(\d*|_\w+)$/.exec(key)?.[1])
    .filter((s) => s !== undefined)
    .sort((a, b) => order(a) - order(b));
  return suffixes.flatMap((suffix) => {
    const { ip, prefix } = splitCidr(vars.get(`IPADDR${suffix}`) ?? '');
    const length = vars.get(`PREFIX${suffix}`) ?? vars.get(`PREFIXLEN${suffix}`);
    const netmask = vars.get(`NETMASK${suffix}`);
    const given =
      length !== undefined
        ? integer(length)
        : netmask !== undefined
          ? prefixOfNetmask(netmask)
          : undefined;
    const address = nicAddress(ip, prefix ?? given ?? (isIPv6(ip) ? 64 : classfulPrefix(ip)));
    return address ? [address] : [];
  });
}

const order = (suffix: string) =>
  suffix === '' ? -1 : /^\d+$/.test(suffix) ? Number(suffix) : 1e6;

/** `IPV6ADDR` and the space-separated `IPV6ADDR_SECONDARIES`, /64 when the prefix is missing. */
function ipv6Addresses(vars: Map<string, string>): NicAddress[] {
  if (/^no$/i.test(vars.get('IPV6INIT') ?? '')) return [];
  const all = [
    vars.get('IPV6ADDR') ?? '',
    ...(vars.get('IPV6ADDR_SECONDARIES') ?? '').split(/\s+/),
  ];
  return all.flatMap((text) => {
    const { ip, prefix } = splitCidr(text);
    const address = isIPv6(ip) ? nicAddress(ip, prefix ?? 64) : undefined;
    return address ? [address] : [];
  });
}

/** Shell assignments `KEY=value`, `KEY="value"`, `KEY='value'`, with comments after them. */
function variables(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = /^\s*(?:export\s+)?([A-Za-z_]\w*)=("[^"]*"|'[^']*'|[^\s#]*)/.exec(raw);
    if (!line) continue;
    const [, key = '', value = ''] = line;
    vars.set(key, /^["']/.test(value) ? value.slice(1, -1) : value);
  }
  return vars;
}
