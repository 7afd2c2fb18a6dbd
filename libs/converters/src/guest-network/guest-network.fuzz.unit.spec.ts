import { isIPv4, isIPv6, SocketAddress } from 'node:net';
import type { NicAddress, VmNic } from '@ferry/contracts';
import fc from 'fast-check';
import { Document } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { GuestInterfaceConfig, GuestNetworkParser } from './guest-network.ts';
import { ifcfgInterfaces } from './ifcfg.ts';
import { ifupdownInterfaces } from './ifupdown.ts';
import { netplanInterfaces } from './netplan.ts';
import { MAX_NIC_ADDRESSES, nicAddresses } from './nic-addresses.ts';
import { keyfileInterfaces } from './nm-keyfile.ts';

const PARSERS: Record<string, GuestNetworkParser> = {
  ifupdown: ifupdownInterfaces,
  netplan: netplanInterfaces,
  keyfile: keyfileInterfaces,
  ifcfg: ifcfgInterfaces,
};

// Pieces of every format, so random text often looks almost right.
const TOKENS = [
  'iface',
  'eth0',
  'inet',
  'inet6',
  'static',
  'dhcp',
  'address',
  'netmask',
  'hwaddress',
  'ether',
  'network:',
  'ethernets:',
  'addresses:',
  'dhcp4:',
  'match:',
  'macaddress:',
  'set-name:',
  '- ',
  '[connection]',
  '[ipv4]',
  '[ipv6]',
  '[ethernet]',
  'interface-name=',
  'mac-address=',
  'method=manual',
  'address1=',
  'addresses=',
  'DEVICE=',
  'HWADDR=',
  'BOOTPROTO=',
  'IPADDR=',
  'IPADDR1=',
  'PREFIX=',
  'NETMASK=',
  'IPV6ADDR=',
  '10.0.0.5',
  '255.255.255.0',
  '/24',
  '/',
  '::',
  'fd00::1',
  '%',
  '00:50:56:00:00:01',
  ';',
  ',',
  '=',
  ':',
  '"',
  "'",
  '\\',
  '#',
  '{',
  '}',
  '[',
  ']',
  '*',
  '&a',
  '*a',
  ' ',
  '  ',
  '\t',
  '\n',
  '\r\n',
];
const text = fc
  .array(
    fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 8 }), fc.nat(999).map(String)),
    {
      maxLength: 80,
    },
  )
  .map((parts) => parts.join(''));

const validAddress = (a: NicAddress) =>
  (isIPv4(a.ip) && a.prefix <= 32) || (isIPv6(a.ip) && !a.ip.includes('%') && a.prefix <= 128);

describe('any text', () => {
  for (const [name, parse] of Object.entries(PARSERS))
    it(`${name}: never throws; every address is valid, its prefix in range, every MAC well-formed`, () => {
      fc.assert(
        fc.property(fc.oneof(text, fc.string({ unit: 'binary', maxLength: 300 })), (t) => {
          for (const config of parse(t, '/etc/x')) {
            expect(config.addresses.every(validAddress)).toBe(true);
            expect(config.addresses.every((a) => Number.isInteger(a.prefix) && a.prefix >= 0)).toBe(
              true,
            );
            expect(config.mac === null || /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(config.mac)).toBe(
              true,
            );
          }
        }),
        { numRuns: 500 },
      );
    });
});

const v4 = fc
  .record({ ip: fc.ipV4(), prefix: fc.integer({ min: 0, max: 32 }) })
  .filter((a) => !a.ip.startsWith('127.') && a.ip !== '0.0.0.0');
const v6 = fc
  .record({ ip: fc.ipV6(), prefix: fc.integer({ min: 0, max: 128 }) })
  .map((a) => ({ ...a, ip: new SocketAddress({ address: a.ip, family: 'ipv6' }).address }))
  .filter((a) => a.ip !== '::' && a.ip !== '::1');
const addresses = fc.record({
  v4: fc.array(v4, { maxLength: 6 }),
  v6: fc.array(v6, { maxLength: 6 }),
});
type Rendered = (a: { v4: NicAddress[]; v6: NicAddress[] }) => string;

const cidr = (a: NicAddress) => `${a.ip}/${a.prefix}`;
const RENDERERS: Record<string, Rendered> = {
  ifupdown: ({ v4, v6 }) =>
    `auto eth0\niface eth0 inet static\n${v4.map((a) => `  address ${cidr(a)}\n`).join('')}` +
    `iface eth0 inet6 static\n${v6.map((a) => `\taddress ${cidr(a)}\n`).join('')}`,
  netplan: ({ v4, v6 }) =>
    new Document({
      network: { version: 2, ethernets: { eth0: { addresses: [...v4, ...v6].map(cidr) } } },
    }).toString(),
  keyfile: ({ v4, v6 }) =>
    `[connection]\ninterface-name=eth0\n\n[ipv4]\nmethod=manual\n${v4.map((a, i) => `address${i + 1}=${cidr(a)}\n`).join('')}` +
    `\n[ipv6]\nmethod=manual\n${v6.map((a, i) => `address${i + 1}=${cidr(a)}\n`).join('')}`,
  ifcfg: ({ v4, v6 }) =>
    `DEVICE=eth0\nBOOTPROTO=none\n${v4.map((a, i) => `IPADDR${i}=${a.ip}\nPREFIX${i}=${a.prefix}\n`).join('')}` +
    (v6.length > 0
      ? `IPV6ADDR=${cidr(v6[0] as NicAddress)}\nIPV6ADDR_SECONDARIES="${v6.slice(1).map(cidr).join(' ')}"\n`
      : ''),
};

describe('a rendered configuration of valid addresses', () => {
  for (const [name, render] of Object.entries(RENDERERS))
    it(`${name}: parses back to the same addresses, in order`, () => {
      const parse = PARSERS[name] as GuestNetworkParser;
      fc.assert(
        fc.property(addresses, (a) => {
          const [config, ...more] = parse(render(a), '/etc/x');
          expect(more).toEqual([]);
          expect(config?.device).toBe('eth0');
          expect(config?.addresses).toEqual([...a.v4, ...a.v6]);
        }),
        { numRuns: 300 },
      );
    });
});

describe('nicAddresses, for any NICs and configs', () => {
  const mac = fc.constantFrom(null, '00:50:56:00:00:01', '00:50:56:00:00:02', '00:50:56:00:00:03');
  const configs = fc.array(
    fc.record({
      device: fc.constantFrom(null, 'eth0', 'eth1', 'eth10', 'ens33', 'ens160'),
      mac,
      dhcp: fc.boolean(),
      addresses: fc.array(fc.oneof(v4, v6), { maxLength: 20 }),
      file: fc.constant('/etc/x'),
    }),
    { maxLength: 8 },
  );
  const nics = fc
    .uniqueArray(mac, { maxLength: 4 })
    .map((macs) =>
      macs.map((m, index): VmNic => ({ index, mac: m, macKind: 'static', network: 'n' })),
    );

  it('gives only NICs that exist addresses the configs hold, each IP once, at most 16', () => {
    fc.assert(
      fc.property(nics, configs, (n, c: GuestInterfaceConfig[]) => {
        const given = new Set(c.flatMap((x) => x.addresses.map(cidr)));
        for (const [index, list] of nicAddresses(n, c)) {
          expect(n.some((x) => x.index === index)).toBe(true);
          expect(list.length).toBeGreaterThan(0);
          expect(list.length).toBeLessThanOrEqual(MAX_NIC_ADDRESSES);
          expect(new Set(list.map((a) => a.ip)).size).toBe(list.length);
          expect(list.every((a) => given.has(cidr(a)))).toBe(true);
        }
      }),
    );
  });
});
