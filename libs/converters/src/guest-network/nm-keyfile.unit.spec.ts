import { describe, expect, it } from 'vitest';
import type { GuestInterfaceConfig } from './guest-network.ts';
import { keyfileInterfaces } from './nm-keyfile.ts';

const FILE = '/etc/NetworkManager/system-connections/ens192.nmconnection';
const cases: readonly {
  given: string;
  text: string;
  then: Omit<GuestInterfaceConfig, 'file'>[];
}[] = [
  {
    given: "RHEL 9's installer: ens192 bound to its MAC, static IPv4 with a gateway, static IPv6",
    text: `[connection]
id=ens192
uuid=5fb06bd0-0bb0-7ffb-45f1-d6edd65f3e03
type=ethernet
autoconnect-priority=-999
interface-name=ens192
timestamp=1717000000

[ethernet]
mac-address=00:50:56:9A:12:34

[ipv4]
address1=10.1.2.3/24,10.1.2.1
address2=10.1.2.4/24
dns=10.1.2.1;
method=manual

[ipv6]
addr-gen-mode=eui64
address1=fd00:1:2::3/64,fd00:1:2::1
method=manual

[proxy]
`,
    then: [
      {
        device: 'ens192',
        mac: '00:50:56:9a:12:34',
        dhcp: false,
        addresses: [
          { ip: '10.1.2.3', prefix: 24 },
          { ip: '10.1.2.4', prefix: 24 },
          { ip: 'fd00:1:2::3', prefix: 64 },
        ],
      },
    ],
  },
  {
    given: 'a DHCP connection (method auto, or no [ipv4] at all: the default)',
    text: '[connection]\nid=Wired connection 1\ntype=802-3-ethernet\n\n[802-3-ethernet]\nmac-address=00:50:56:9A:00:02;\n',
    then: [{ device: null, mac: '00:50:56:9a:00:02', dhcp: true, addresses: [] }],
  },
  {
    given:
      'older spellings: `addresses=` lists, the ip;prefix;gateway form, a MAC as decimal bytes, no prefix',
    text: `# written by NetworkManager 0.9
[connection]
id=System\\seth0
type=802-3-ethernet
interface-name=eth0

[802-3-ethernet]
mac-address=0;80;86;154;0;3;

[ipv4]
method=manual
addresses1=192.168.5.10;24;192.168.5.1;
addresses=192.168.6.10/16;192.168.7.10/28,192.168.7.1;
address3=192.168.8.10

[ipv6]
method=auto
address1=fd00:8::10
`,
    then: [
      {
        device: 'eth0',
        mac: '00:50:56:9a:00:03',
        dhcp: false,
        addresses: [
          { ip: '192.168.5.10', prefix: 24 },
          { ip: '192.168.6.10', prefix: 16 },
          { ip: '192.168.7.10', prefix: 28 },
          { ip: '192.168.8.10', prefix: 24 },
          { ip: 'fd00:8::10', prefix: 64 },
        ],
      },
    ],
  },
  {
    given: 'IPv4 disabled, IPv6 ignored: their addresses do not count',
    text: '[connection]\ninterface-name=ens224\n[ipv4]\nmethod=disabled\naddress1=10.0.0.1/8\n[ipv6]\nmethod=ignore\naddress1=fd00::1/64\n',
    then: [{ device: 'ens224', mac: null, dhcp: false, addresses: [] }],
  },
  ...['bridge', 'bond', 'vlan', 'loopback', '802-11-wireless'].map((type) => ({
    given: `a connection of type ${type}`,
    text: `[connection]\ntype=${type}\ninterface-name=x0\n[ipv4]\nmethod=manual\naddress1=10.0.0.1/8\n`,
    then: [],
  })),
  {
    given: 'addresses that are not, and keys outside any section',
    text: 'address1=10.9.9.9/24\n[connection]\ninterface-name=lo0\n[ipv4]\nmethod=manual\naddress1=10.0.0.256/24\naddress2=10.0.0.5/40\naddress3=::1/128\n',
    then: [{ device: 'lo0', mac: null, dhcp: false, addresses: [] }],
  },
];

describe('NetworkManager keyfiles', () => {
  for (const c of cases)
    it(`given ${c.given}, then it reads the connection`, () => {
      expect(keyfileInterfaces(c.text, FILE)).toEqual(c.then.map((i) => ({ ...i, file: FILE })));
    });
});
