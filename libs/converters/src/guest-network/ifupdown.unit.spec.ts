import { describe, expect, it } from 'vitest';
import type { GuestInterfaceConfig } from './guest-network.ts';
import { ifupdownInterfaces } from './ifupdown.ts';

const FILE = '/etc/network/interfaces';
const cases: readonly {
  given: string;
  text: string;
  then: Omit<GuestInterfaceConfig, 'file'>[];
}[] = [
  {
    given: 'a Debian 12 server: loopback, static IPv4 and IPv6 on eth0, DHCP with a MAC on eth1',
    text: `# This file describes the network interfaces available on your system
# and how to activate them. For more information, see interfaces(5).

source /etc/network/interfaces.d/*

# The loopback network interface
auto lo
iface lo inet loopback

# The primary network interface
allow-hotplug eth0
iface eth0 inet static
	address 192.168.10.21
	netmask 255.255.255.0
	gateway 192.168.10.1
	# dns-* options are implemented by the resolvconf package, if installed
	dns-nameservers 192.168.10.1 1.1.1.1
	dns-search example.lan

iface eth0 inet6 static
	address 2001:DB8:10::21
	netmask 64
	gateway 2001:db8:10::1

auto eth1
iface eth1 inet dhcp
	hwaddress ether 00:50:56:AB:CD:01
`,
    then: [
      {
        device: 'eth0',
        mac: null,
        dhcp: false,
        addresses: [
          { ip: '192.168.10.21', prefix: 24 },
          { ip: '2001:db8:10::21', prefix: 64 },
        ],
      },
      { device: 'eth1', mac: '00:50:56:ab:cd:01', dhcp: true, addresses: [] },
    ],
  },
  {
    given: 'CIDR addresses, repeated address lines and an alias (eth0:1 belongs to eth0)',
    text: `auto ens192
iface ens192 inet static
    address 10.20.0.5/16
    address 10.20.0.6/16
    gateway 10.20.0.1

auto ens192:1
iface ens192:1 inet static
    address 10.30.0.5
    netmask 255.255.255.128
`,
    then: [
      {
        device: 'ens192',
        mac: null,
        dhcp: false,
        addresses: [
          { ip: '10.20.0.5', prefix: 16 },
          { ip: '10.20.0.6', prefix: 16 },
          { ip: '10.30.0.5', prefix: 25 },
        ],
      },
    ],
  },
  {
    given: 'an address with neither prefix nor netmask: a host address, as `ip addr add` makes it',
    text: 'iface eth0 inet static\n  address 10.0.0.9\niface eth0 inet6 static\n  address fd00::9\n',
    then: [
      {
        device: 'eth0',
        mac: null,
        dhcp: false,
        addresses: [
          { ip: '10.0.0.9', prefix: 32 },
          { ip: 'fd00::9', prefix: 128 },
        ],
      },
    ],
  },
  {
    given: 'a bridge over eth0 and a VLAN: their addresses are no NIC’s own; eth0 still is a NIC',
    text: `auto eth0
iface eth0 inet manual

auto br0
iface br0 inet static
    bridge_ports eth0
    address 10.0.0.5/24

auto eth0.100
iface eth0.100 inet static
    address 10.100.0.5/24
`,
    then: [{ device: 'eth0', mac: null, dhcp: false, addresses: [] }],
  },
  {
    given: 'what is not an address or prefix: an octet over 255, /33, a broken netmask, loopback',
    text: `iface eth0 inet static
  address 10.0.0.300/24
  address 10.0.0.5/33
iface eth1 inet static
  address 10.1.0.5
  netmask 255.0.255.0
iface eth2 inet static
  address 127.0.0.2/8
  hwaddress ether not-a-mac
iface eth3 inet6 static
  address fe80::1%eth3/64
`,
    then: ['eth0', 'eth1', 'eth2', 'eth3'].map((device) => ({
      device,
      mac: null,
      dhcp: false,
      addresses: [],
    })),
  },
  {
    given: 'continuation lines, CRLF line ends, a hwaddress without its class',
    text: 'iface eth0 inet static\r\n  address \\\r\n    10.0.0.5/24\r\n  hwaddress 00-50-56-00-00-0A\r\n',
    then: [
      {
        device: 'eth0',
        mac: '00:50:56:00:00:0a',
        dhcp: false,
        addresses: [{ ip: '10.0.0.5', prefix: 24 }],
      },
    ],
  },
  {
    given: 'options outside any stanza, and an empty file',
    text: 'address 10.0.0.5/24\n',
    then: [],
  },
];

describe('ifupdown /etc/network/interfaces', () => {
  for (const c of cases)
    it(`given ${c.given}, then it reads each interface`, () => {
      expect(ifupdownInterfaces(c.text, FILE)).toEqual(c.then.map((i) => ({ ...i, file: FILE })));
    });
});
