import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { NicAddress, VmNic } from '@ferry/contracts';
import type { FixedIp, Subnet } from './neutron.ts';

/** Where one of a NIC's addresses goes: a fixed IP in the subnet that holds it, or nowhere (DHCP). */
export interface AddressPlacement {
  readonly address: NicAddress;
  /** The subnet of the NIC's mapped network that contains the address; null when none does. */
  readonly subnet: Subnet | null;
}

const family = (ip: string) => (isIPv4(ip) ? 'ipv4' : isIPv6(ip) ? 'ipv6' : undefined);

/** Whether `cidr` (`10.0.0.0/24`, `fd00::/64`) contains `ip`; false for anything malformed. */
export function cidrContains(cidr: string, ip: string): boolean {
  const slash = cidr.lastIndexOf('/');
  const net = cidr.slice(0, slash);
  const prefix = Number(cidr.slice(slash + 1));
  const f = family(net);
  if (slash < 0 || !f || family(ip) !== f || !Number.isInteger(prefix)) return false;
  try {
    const list = new BlockList();
    list.addSubnet(net, prefix, f);
    return list.check(ip, f);
  } catch {
    return false;
  }
}

/** Each address the guest has on `nic`, placed in the first subnet (of its mapped network) that holds it. */
export function placeAddresses(nic: VmNic, subnets: readonly Subnet[]): AddressPlacement[] {
  return (nic.addresses ?? []).map((address) => ({
    address,
    subnet: subnets.find((s) => cidrContains(s.cidr, address.ip)) ?? null,
  }));
}

/** The port's `fixed_ips` for the placed addresses; empty (Neutron picks, the guest asks DHCP) when none fits. */
export const fixedIpsOf = (placements: readonly AddressPlacement[]): FixedIp[] =>
  placements.flatMap((p) =>
    p.subnet ? [{ subnet_id: p.subnet.id, ip_address: p.address.ip }] : [],
  );
