import type { NicAddress, VmNic } from '@ferry/contracts';
import { describe, expect, it } from 'vitest';
import { guestInterfaces, isGuestNetworkFile, type GuestInterfaceConfig } from './guest-network.ts';
import { nicAddresses } from './nic-addresses.ts';
import { guestNetworkCommand } from './read-guest-network.ts';

const nic = (index: number, mac: string | null): VmNic => ({
  index,
  mac,
  macKind: mac ? 'generated' : 'none',
  network: 'VM Network',
});
const config = (
  device: string | null,
  mac: string | null,
  ...ips: string[]
): GuestInterfaceConfig => ({
  device,
  mac,
  dhcp: ips.length === 0,
  addresses: ips.map((ip) => ({ ip, prefix: 24 })),
  file: '/etc/x',
});
const a = (ip: string): NicAddress => ({ ip, prefix: 24 });
const MAC = (n: number) => `00:50:56:00:00:0${n}`;

describe('which files are read, and by which parser', () => {
  it('given the paths a guest may hold, then only network configurations count, leftovers not', () => {
    const read = [
      '/etc/network/interfaces',
      '/etc/network/interfaces.d/eth1',
      '/etc/netplan/50-cloud-init.yaml',
      '/etc/NetworkManager/system-connections/Wired connection 1.nmconnection',
      '/etc/sysconfig/network-scripts/ifcfg-ens192',
      '/etc/sysconfig/network/ifcfg-eth0',
    ];
    const skipped = [
      '/etc/network/interfaces.d/eth1~',
      '/etc/network/interfaces.d/.eth1.swp',
      '/etc/network/interfaces.dpkg-old',
      '/etc/netplan/50-cloud-init.yaml.bak',
      '/etc/netplan/old/01.yaml',
      '/etc/netplan/01.yml',
      '/etc/sysconfig/network-scripts/ifcfg-eth0.rpmsave',
      '/etc/sysconfig/network-scripts/ifup-eth',
      '/etc/hosts',
    ];
    expect(read.filter(isGuestNetworkFile)).toEqual(read);
    expect(skipped.filter(isGuestNetworkFile)).toEqual([]);
  });

  it('given files of every kind, then each goes to its parser, in the order of the paths', () => {
    const files = new Map([
      ['/etc/sysconfig/network-scripts/ifcfg-eth2', 'IPADDR=10.0.2.5\nPREFIX=24\n'],
      ['/etc/network/interfaces', 'iface eth0 inet static\n address 10.0.0.5/24\n'],
      ['/etc/netplan/01.yaml', 'network:\n  ethernets:\n    eth1:\n      dhcp4: true\n'],
      ['/etc/NetworkManager/system-connections/x', '[connection]\ninterface-name=eth3\n'],
      ['/etc/netplan/01.yaml~', 'network:\n  ethernets:\n    eth9:\n      dhcp4: true\n'],
    ]);
    expect(guestInterfaces(files).map((c) => [c.device, c.file])).toEqual([
      ['eth3', '/etc/NetworkManager/system-connections/x'],
      ['eth1', '/etc/netplan/01.yaml'],
      ['eth0', '/etc/network/interfaces'],
      ['eth2', '/etc/sysconfig/network-scripts/ifcfg-eth2'],
    ]);
  });
});

describe('which NIC gets which addresses', () => {
  const cases: readonly {
    given: string;
    nics: VmNic[];
    configs: GuestInterfaceConfig[];
    then: [number, NicAddress[]][];
  }[] = [
    {
      given: 'configs naming MACs, in any order',
      nics: [nic(0, MAC(1)), nic(1, MAC(2))],
      configs: [config('eth9', MAC(2), '10.0.2.5'), config(null, MAC(1), '10.0.1.5')],
      then: [
        [1, [a('10.0.2.5')]],
        [0, [a('10.0.1.5')]],
      ],
    },
    {
      given: 'names only: natural order (ens160 < ens192 < ens224), not the order of the files',
      nics: [nic(0, MAC(1)), nic(1, MAC(2)), nic(2, MAC(3))],
      configs: [
        config('ens224', null, '10.0.3.5'),
        config('ens160', null, '10.0.1.5'),
        config('ens192', null, '10.0.2.5'),
      ],
      then: [
        [2, [a('10.0.3.5')]],
        [0, [a('10.0.1.5')]],
        [1, [a('10.0.2.5')]],
      ],
    },
    {
      given: 'eth10 beside eth2, and a DHCP eth0 that holds the first NIC',
      nics: [nic(0, MAC(1)), nic(1, MAC(2)), nic(2, MAC(3))],
      configs: [
        config('eth10', null, '10.0.10.5'),
        config('eth0', null),
        config('eth2', null, '10.0.2.5'),
      ],
      then: [
        [2, [a('10.0.10.5')]],
        [1, [a('10.0.2.5')]],
      ],
    },
    {
      given: 'one NIC matched by MAC: the named ones take the others',
      nics: [nic(0, MAC(1)), nic(1, MAC(2)), nic(2, null)],
      configs: [
        config('eth0', null, '10.0.0.5'),
        config('eth1', MAC(1), '10.0.1.5'),
        config('eth2', null, '10.0.2.5'),
      ],
      then: [
        [1, [a('10.0.0.5')]],
        [0, [a('10.0.1.5')]],
        [2, [a('10.0.2.5')]],
      ],
    },
    {
      given: 'an alias of a device bound to a MAC, and a config for a MAC the VM lacks',
      nics: [nic(0, MAC(1)), nic(1, MAC(2))],
      configs: [
        config('eth0', MAC(2), '10.0.0.5'),
        config('eth0', null, '10.0.0.6'),
        config('eth7', MAC(9), '10.0.7.5'),
        config('eth7', null, '10.0.7.6'),
      ],
      then: [[1, [a('10.0.0.5'), a('10.0.0.6')]]],
    },
    {
      given: 'more devices than NICs, and a config naming neither device nor MAC',
      nics: [nic(0, MAC(1)), nic(1, MAC(2))],
      configs: [
        config(null, null, '10.0.9.5'),
        config('eth0', null, '10.0.0.5'),
        config('eth1', null, '10.0.1.5'),
        config('eth2', null, '10.0.2.5'),
      ],
      then: [
        [0, [a('10.0.0.5')]],
        [1, [a('10.0.1.5')]],
      ],
    },
    {
      given: 'a config naming neither, with a NIC left over',
      nics: [nic(0, MAC(1)), nic(1, MAC(2))],
      configs: [config(null, null, '10.0.9.5'), config('eth0', null, '10.0.0.5')],
      then: [
        [1, [a('10.0.9.5')]],
        [0, [a('10.0.0.5')]],
      ],
    },
    {
      given: 'one address in two files (netplan and ifupdown both), and 20 addresses',
      nics: [nic(0, MAC(1))],
      configs: [
        config('eth0', null, '10.0.0.5'),
        config(
          'eth0',
          null,
          '10.0.0.5',
          ...Array.from({ length: 20 }, (_, i) => `10.1.0.${i + 1}`),
        ),
      ],
      then: [[0, ['10.0.0.5', ...Array.from({ length: 15 }, (_, i) => `10.1.0.${i + 1}`)].map(a)]],
    },
  ];
  for (const c of cases)
    it(`given ${c.given}, then each NIC gets its own`, () => {
      expect([...nicAddresses(c.nics, c.configs)]).toEqual(c.then);
    });
});

describe('the guestfish command', () => {
  it('given .vmdk and other disks, then vmdk is named for those and the rest autodetected', () => {
    const command = guestNetworkCommand(
      ['/d/a.vmdk', '/d/b.VMDK', '/d/c.qcow2', '/d/d.vmdk'],
      '/t',
    );
    expect(command.slice(0, command.indexOf('--'))).toEqual([
      'guestfish',
      '--ro',
      '-i',
      '--format=vmdk',
      '-a',
      '/d/a.vmdk',
      '-a',
      '/d/b.VMDK',
      '--format',
      '-a',
      '/d/c.qcow2',
      '--format=vmdk',
      '-a',
      '/d/d.vmdk',
    ]);
  });

  it('copies each candidate into the same place under the folder, every copy allowed to fail', () => {
    const command = guestNetworkCommand(['/d/a.raw'], '/t');
    const copies = command
      .slice(command.indexOf('--') + 1)
      .join(' ')
      .split(' : ');
    expect(copies).toEqual([
      '-copy-out /etc/network/interfaces /t/etc/network',
      '-copy-out /etc/network/interfaces.d /t/etc/network',
      '-copy-out /etc/netplan /t/etc',
      '-copy-out /etc/NetworkManager/system-connections /t/etc/NetworkManager',
      '-glob copy-out /etc/sysconfig/network-scripts/ifcfg-* /t/etc/sysconfig/network-scripts',
      '-glob copy-out /etc/sysconfig/network/ifcfg-* /t/etc/sysconfig/network',
    ]);
  });
});
