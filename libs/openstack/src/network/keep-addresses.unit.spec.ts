import fc from 'fast-check';
import type { VmNic } from '@ferry/contracts';
import { describe, expect, it } from 'vitest';
import { cidrContains, fixedIpsOf, placeAddresses } from './keep-addresses.ts';
import type { Subnet } from './neutron.ts';

const subnet = (id: string, cidr: string): Subnet => ({
  id,
  name: `${id}-subnet`,
  network_id: 'net',
  cidr,
  ip_version: cidr.includes(':') ? 6 : 4,
  gateway_ip: null,
});
const nic = (addresses: VmNic['addresses']): VmNic => ({
  index: 0,
  mac: '00:50:56:12:34:56',
  macKind: 'static',
  network: 'nat',
  ...(addresses ? { addresses } : {}),
});

describe('keeping a NIC’s addresses', () => {
  const subnets = [subnet('v4', '10.0.0.0/24'), subnet('v6', 'fd00:1::/64')];

  it('given an address inside a subnet, when placed, then the port holds it there', () => {
    const placed = placeAddresses(nic([{ ip: '10.0.0.200', prefix: 24 }]), subnets);
    expect(placed.map((p) => p.subnet?.id)).toEqual(['v4']);
    expect(fixedIpsOf(placed)).toEqual([{ subnet_id: 'v4', ip_address: '10.0.0.200' }]);
  });

  it('given addresses of both families, when placed, then each goes to its own subnet', () => {
    const placed = placeAddresses(
      nic([
        { ip: 'fd00:1::5', prefix: 64 },
        { ip: '10.0.0.7', prefix: 16 },
      ]),
      subnets,
    );
    expect(fixedIpsOf(placed)).toEqual([
      { subnet_id: 'v6', ip_address: 'fd00:1::5' },
      { subnet_id: 'v4', ip_address: '10.0.0.7' },
    ]);
  });

  it('given an address no subnet holds, when placed, then it is left to DHCP', () => {
    const placed = placeAddresses(nic([{ ip: '192.168.7.10', prefix: 24 }]), subnets);
    expect(placed).toEqual([{ address: { ip: '192.168.7.10', prefix: 24 }, subnet: null }]);
    expect(fixedIpsOf(placed)).toEqual([]);
  });

  it('given a NIC without addresses, when placed, then nothing is asked for', () => {
    expect(placeAddresses(nic(undefined), subnets)).toEqual([]);
  });

  it('a CIDR holds exactly the addresses that share its prefix bits', () => {
    const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
    fc.assert(
      fc.property(ipv4, ipv4, fc.integer({ min: 0, max: 32 }), (a, b, prefix) => {
        const toInt = (o: number[]) => o.reduce((n, x) => n * 256 + x, 0);
        const mask = prefix === 0 ? 0 : 2 ** 32 - 2 ** (32 - prefix);
        const same = (toInt(a) & mask) >>> 0 === (toInt(b) & mask) >>> 0;
        const net = ((toInt(a) & mask) >>> 0).toString(16).padStart(8, '0');
        const cidr = `${[0, 2, 4, 6].map((i) => parseInt(net.slice(i, i + 2), 16)).join('.')}/${prefix}`;
        expect(cidrContains(cidr, b.join('.'))).toBe(same);
      }),
    );
  });

  it('malformed CIDRs and addresses contain nothing and never throw', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (cidr, ip) => {
        expect(typeof cidrContains(cidr, ip)).toBe('boolean');
      }),
    );
    expect(cidrContains('10.0.0.0/33', '10.0.0.1')).toBe(false);
    expect(cidrContains('10.0.0.0/24', 'fd00::1')).toBe(false);
  });
});
