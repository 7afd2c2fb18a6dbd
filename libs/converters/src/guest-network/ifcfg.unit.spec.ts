import { describe, expect, it } from 'vitest';
import type { GuestInterfaceConfig } from './guest-network.ts';
import { ifcfgInterfaces } from './ifcfg.ts';

const cases: readonly {
  given: string;
  file: string;
  text: string;
  then: Omit<GuestInterfaceConfig, 'file'>[];
}[] = [
  {
    given: "RHEL 8's installer: ens192 with its MAC, static IPv4 and IPv6, quoted values",
    file: '/etc/sysconfig/network-scripts/ifcfg-ens192',
    text: `TYPE=Ethernet
PROXY_METHOD=none
BROWSER_ONLY=no
BOOTPROTO=none
DEFROUTE=yes
IPV4_FAILURE_FATAL=no
IPV6INIT=yes
IPV6_AUTOCONF=no
IPV6_DEFROUTE=yes
NAME=ens192
UUID=0b2c2d52-4e36-4a9f-9b0c-3a5b5b0f6a01
DEVICE=ens192
ONBOOT=yes
HWADDR="00:50:56:AB:00:10"
IPADDR=10.10.0.15
PREFIX=24
GATEWAY=10.10.0.1
DNS1=10.10.0.1
IPV6ADDR='fd00:10::15/64'
IPV6_DEFAULTGW=fd00:10::1
`,
    then: [
      {
        device: 'ens192',
        mac: '00:50:56:ab:00:10',
        dhcp: false,
        addresses: [
          { ip: '10.10.0.15', prefix: 24 },
          { ip: 'fd00:10::15', prefix: 64 },
        ],
      },
    ],
  },
  {
    given:
      'numbered addresses with PREFIXn or NETMASKn (one with neither: its class), IPv6 secondaries',
    file: '/etc/sysconfig/network-scripts/ifcfg-eth0',
    text: `# Managed by hand
DEVICE=eth0
BOOTPROTO=static
IPADDR1=172.16.5.6
NETMASK1=255.255.240.0
IPADDR0=192.168.0.5   # the main one
PREFIX0=24
IPADDR2=10.1.1.1
IPV6ADDR_SECONDARIES="fd00::6/80 fd00::7"
`,
    then: [
      {
        device: 'eth0',
        mac: null,
        dhcp: false,
        addresses: [
          { ip: '192.168.0.5', prefix: 24 },
          { ip: '172.16.5.6', prefix: 20 },
          { ip: '10.1.1.1', prefix: 8 },
          { ip: 'fd00::6', prefix: 80 },
          { ip: 'fd00::7', prefix: 64 },
        ],
      },
    ],
  },
  {
    given: 'DHCP, the device named only by the file, IPv6 off',
    file: '/etc/sysconfig/network-scripts/ifcfg-ens224',
    text: 'BOOTPROTO="dhcp"\nONBOOT=yes\nIPV6INIT=no\nIPV6ADDR=fd00::1/64\n',
    then: [{ device: 'ens224', mac: null, dhcp: true, addresses: [] }],
  },
  {
    given: 'an alias file: its address is eth0’s',
    file: '/etc/sysconfig/network-scripts/ifcfg-eth0:1',
    text: 'DEVICE=eth0:1\nIPADDR=192.168.0.6\nNETMASK=255.255.255.0\n',
    then: [
      { device: 'eth0', mac: null, dhcp: false, addresses: [{ ip: '192.168.0.6', prefix: 24 }] },
    ],
  },
  ...[
    ['loopback', 'ifcfg-lo', 'DEVICE=lo\nIPADDR=127.0.0.1\nNETMASK=255.0.0.0\n'],
    ['a bridge', 'ifcfg-br0', 'DEVICE=br0\nTYPE=Bridge\nIPADDR=10.0.0.5\nPREFIX=24\n'],
    ['a VLAN', 'ifcfg-eth0.100', 'DEVICE=eth0.100\nVLAN=yes\nIPADDR=10.0.0.5\nPREFIX=24\n'],
  ].map(([given = '', name = '', text = '']) => ({
    given,
    file: `/etc/sysconfig/network-scripts/${name}`,
    text,
    then: [],
  })),
  {
    given: 'values that are not addresses, prefixes or MACs',
    file: '/etc/sysconfig/network-scripts/ifcfg-eth1',
    text: 'DEVICE=eth1\nHWADDR=00:50:56\nIPADDR=10.0.0.256\nIPADDR1=10.0.0.5\nPREFIX1=abc\nIPADDR2=10.0.0.6\nNETMASK2=255.255.0.255\n',
    then: [{ device: 'eth1', mac: null, dhcp: false, addresses: [] }],
  },
  {
    given: "SUSE's ifcfg: CIDR in IPADDR, IPADDR_<label>",
    file: '/etc/sysconfig/network/ifcfg-eth0',
    text: "BOOTPROTO='static'\nSTARTMODE='auto'\nIPADDR='192.168.3.5/24'\nIPADDR_web='192.168.3.6'\nPREFIXLEN_web='25'\n",
    then: [
      {
        device: 'eth0',
        mac: null,
        dhcp: false,
        addresses: [
          { ip: '192.168.3.5', prefix: 24 },
          { ip: '192.168.3.6', prefix: 25 },
        ],
      },
    ],
  },
];

describe('RHEL ifcfg files', () => {
  for (const c of cases)
    it(`given ${c.given}, then it reads the interface`, () => {
      expect(ifcfgInterfaces(c.text, c.file)).toEqual(c.then.map((i) => ({ ...i, file: c.file })));
    });
});
