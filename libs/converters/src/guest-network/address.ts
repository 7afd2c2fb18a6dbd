import { isIPv4, isIPv6, SocketAddress } from 'node:net';
import type { NicAddress } from '@ferry/contracts';

/**
 * The address as the contract holds it (IPv6 in its canonical form, so one address written two
 * ways is one), or undefined when a NIC cannot keep it: not an address, a prefix out of range, a
 * zone index, loopback or unspecified.
 */
export function nicAddress(ip: string, prefix: number | undefined): NicAddress | undefined {
  if (prefix === undefined || !Number.isInteger(prefix) || prefix < 0) return undefined;
  if (isIPv4(ip)) {
    if (prefix > 32 || ip.startsWith('127.') || ip === '0.0.0.0') return undefined;
    return { ip, prefix };
  }
  if (!isIPv6(ip) || ip.includes('%') || prefix > 128) return undefined;
  const canonical = new SocketAddress({ address: ip, family: 'ipv6' }).address;
  if (canonical === '::1' || canonical === '::') return undefined;
  return { ip: canonical, prefix };
}

/** `10.0.0.5/24` into its parts; the prefix is undefined when absent, NaN when not a number. */
export function splitCidr(text: string): { ip: string; prefix: number | undefined } {
  const [ip = '', prefix] = text.trim().split('/', 2);
  return { ip, prefix: prefix === undefined ? undefined : integer(prefix) };
}

export function integer(text: string): number {
  return /^\d{1,3}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
}

/** A prefix length from a netmask, dotted (`255.255.255.0`) or a length (`24`); NaN for a non-contiguous mask. */
export function prefixOfNetmask(mask: string): number {
  const text = mask.trim();
  if (!isIPv4(text)) return integer(text);
  const bits = text
    .split('.')
    .map((octet) => Number(octet).toString(2).padStart(8, '0'))
    .join('');
  return /^1*0*$/.test(bits) ? bits.replace(/0+$/, '').length : Number.NaN;
}

/** The class's own prefix, what RHEL's tools assume for an IPv4 address with no prefix nor netmask. */
export function classfulPrefix(ip: string): number {
  const first = Number(ip.split('.')[0]);
  return first < 128 ? 8 : first < 192 ? 16 : 24;
}

/** A MAC address in lower case with colons, or null when the text is not one. */
export function macAddress(text: string | undefined): string | null {
  const mac = text?.trim().toLowerCase().replace(/-/g, ':');
  return mac && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac) ? mac : null;
}
