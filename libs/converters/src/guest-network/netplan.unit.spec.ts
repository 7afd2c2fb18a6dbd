import { describe, expect, it } from 'vitest';
import type { GuestInterfaceConfig } from './guest-network.ts';
import { netplanInterfaces } from './netplan.ts';

const FILE = '/etc/netplan/00-installer-config.yaml';
const cases: readonly {
  given: string;
  text: string;
  then: Omit<GuestInterfaceConfig, 'file'>[];
}[] = [
  {
    given: "Ubuntu 22.04's installer: a static ens33 with IPv4 and IPv6, DHCP on ens34",
    text: `# This is the network config written by 'subiquity'
network:
  ethernets:
    ens33:
      addresses:
      - 192.168.1.10/24
      - "2001:db8:1::10/64"
      nameservers:
        addresses:
        - 192.168.1.1
        search: [example.lan]
      routes:
      - to: default
        via: 192.168.1.1
    ens34:
      dhcp4: true
  version: 2
`,
    then: [
      {
        device: 'ens33',
        mac: null,
        dhcp: false,
        addresses: [
          { ip: '192.168.1.10', prefix: 24 },
          { ip: '2001:db8:1::10', prefix: 64 },
        ],
      },
      { device: 'ens34', mac: null, dhcp: true, addresses: [] },
    ],
  },
  {
    given: "cloud-init's file: interfaces matched by MAC and renamed, flow sequences",
    text: `network:
    version: 2
    ethernets:
        eth0:
            match:
                macaddress: 00:50:56:AA:00:01
            set-name: eth0
            dhcp4: true
        id1:
            match: {macaddress: '00:50:56:aa:00:02'}
            addresses: [10.5.0.20/24, 'fd00:5::20/64']
            gateway4: 10.5.0.1
`,
    then: [
      { device: 'eth0', mac: '00:50:56:aa:00:01', dhcp: true, addresses: [] },
      {
        device: null,
        mac: '00:50:56:aa:00:02',
        dhcp: false,
        addresses: [
          { ip: '10.5.0.20', prefix: 24 },
          { ip: 'fd00:5::20', prefix: 64 },
        ],
      },
    ],
  },
  {
    given: 'YAML 1.1 booleans, addresses with options, a name glob, a missing prefix, lo, a bridge',
    text: `network:
  version: 2
  renderer: networkd
  ethernets:
    lo:
      addresses: [127.0.0.2/8]
    lan:
      match: { name: "en*" }
      dhcp4: yes
    ens160:
      dhcp4: "no"
      addresses:
        - 10.0.0.5/24:
            label: "ens160:web"
            lifetime: forever
        - 10.0.0.6
  bridges:
    br0:
      interfaces: [ens192]
      addresses: [10.9.0.5/24]
`,
    then: [
      { device: null, mac: null, dhcp: true, addresses: [] },
      { device: 'ens160', mac: null, dhcp: false, addresses: [{ ip: '10.0.0.5', prefix: 24 }] },
    ],
  },
  { given: 'broken YAML', text: 'network:\n  ethernets: [\n', then: [] },
  { given: 'YAML that is not netplan', text: '- 1\n- 2\n', then: [] },
  {
    given: 'ethernets of the wrong shapes',
    text: 'network:\n  ethernets:\n    eth0: 5\n    eth1:\n      addresses: 10.0.0.5/24\n',
    then: [{ device: 'eth1', mac: null, dhcp: false, addresses: [] }],
  },
];

describe('netplan /etc/netplan/*.yaml', () => {
  for (const c of cases)
    it(`given ${c.given}, then it reads each ethernet`, () => {
      expect(netplanInterfaces(c.text, FILE)).toEqual(c.then.map((i) => ({ ...i, file: FILE })));
    });
});
