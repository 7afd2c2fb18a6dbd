import { describe, expect, it } from 'vitest';
import { readDevices, VM_ELEMENTS } from './vm-properties.ts';
import { children, parseXml } from './xml.ts';

const NS = 'xmlns="urn:vim25" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

// The shapes real vSphere sends and the simulator does not: capacityInBytes, SATA/NVMe/IDE
// controllers, snapshot backings with parents, NICs on a distributed switch.
const devicesXml = `<val ${NS} xsi:type="ArrayOfVirtualDevice">
  <VirtualDevice xsi:type="VirtualAHCIController"><key>15000</key><busNumber>0</busNumber></VirtualDevice>
  <VirtualDevice xsi:type="VirtualNVMEController"><key>31000</key><busNumber>1</busNumber></VirtualDevice>
  <VirtualDevice xsi:type="VirtualIDEController"><key>200</key><busNumber>0</busNumber></VirtualDevice>
  <VirtualDevice xsi:type="VirtualDisk"><key>16000</key><deviceInfo xsi:type="Description"><label>Hard disk 1</label></deviceInfo><controllerKey>15000</controllerKey><unitNumber>2</unitNumber>
    <capacityInKB>1</capacityInKB><capacityInBytes>21474836480</capacityInBytes>
    <backing xsi:type="VirtualDiskFlatVer2BackingInfo"><fileName>[ds1] app/app-000002.vmdk</fileName>
      <parent xsi:type="VirtualDiskFlatVer2BackingInfo"><fileName>[ds1] app/app-000001.vmdk</fileName>
        <parent xsi:type="VirtualDiskFlatVer2BackingInfo"><fileName>[ds1] app/app.vmdk</fileName></parent></parent></backing></VirtualDevice>
  <VirtualDevice xsi:type="VirtualDisk"><key>31001</key><controllerKey>31000</controllerKey><unitNumber>0</unitNumber><capacityInKB>1048576</capacityInKB>
    <backing xsi:type="VirtualDiskFlatVer2BackingInfo"><fileName>[ds2] app/data.vmdk</fileName></backing></VirtualDevice>
  <VirtualDevice xsi:type="VirtualCdrom"><key>3000</key><controllerKey>200</controllerKey><unitNumber>0</unitNumber></VirtualDevice>
  <VirtualDevice xsi:type="VirtualVmxnet3"><key>4000</key><macAddress>00:50:56:AB:CD:EF</macAddress><addressType>assigned</addressType>
    <backing xsi:type="VirtualEthernetCardDistributedVirtualPortBackingInfo"><port><switchUuid>50 1e</switchUuid><portgroupKey>dvportgroup-42</portgroupKey></port></backing></VirtualDevice>
  <VirtualDevice xsi:type="VirtualE1000e"><key>4001</key><macAddress>00:50:56:01:02:03</macAddress><addressType>manual</addressType>
    <backing xsi:type="VirtualEthernetCardNetworkBackingInfo"><deviceName>Backup LAN</deviceName></backing></VirtualDevice>
</val>`;
const devices = parseXml(devicesXml);

describe('readDevices', () => {
  it('reads each disk with its controller slot, size in bytes (preferred over KB) and snapshot chain', () => {
    expect(readDevices(devices).disks).toEqual([
      {
        index: 0,
        controller: 'sata',
        slot: 'sata0:2',
        path: '[ds1] app/app-000002.vmdk',
        capacityBytes: 21474836480,
        chainLength: 3,
      },
      {
        index: 1,
        controller: 'nvme',
        slot: 'nvme1:0',
        path: '[ds2] app/data.vmdk',
        capacityBytes: 1073741824,
        chainLength: 1,
      },
    ]);
  });

  it('reads NICs with their MAC and network, a distributed port group by its key', () => {
    expect(readDevices(devices).nics).toEqual([
      {
        index: 0,
        mac: '00:50:56:ab:cd:ef',
        macKind: 'generated',
        network: 'dvportgroup-42',
        portgroupKey: 'dvportgroup-42',
      },
      { index: 1, mac: '00:50:56:01:02:03', macKind: 'static', network: 'Backup LAN' },
    ]);
  });
});

// The NICs of devicesXml, as guest.net names them: by device key (4000, 4001) or, with -1, by MAC.
const guestNic = (id: number, mac: string, configured: string, older = '') =>
  `<GuestNicInfo xsi:type="GuestNicInfo"><network>VM Network</network>${older}<macAddress>${mac}</macAddress>` +
  `<connected>true</connected><deviceConfigId>${id}</deviceConfigId>` +
  `<dnsConfig xsi:type="NetDnsConfigInfo"><dhcp>false</dhcp><hostName>app</hostName></dnsConfig>` +
  (configured ? `<ipConfig xsi:type="NetIpConfigInfo">${configured}</ipConfig>` : '') +
  '</GuestNicInfo>';
const configured = (ip: string, prefix: number) =>
  `<ipAddress xsi:type="NetIpConfigInfoIpAddress"><ipAddress>${ip}</ipAddress><prefixLength>${prefix}</prefixLength><state>preferred</state></ipAddress>`;
const older = (...ips: string[]) => ips.map((ip) => `<ipAddress>${ip}</ipAddress>`).join('');
const guestNet = (...nics: string[]) =>
  parseXml(`<val ${NS} xsi:type="ArrayOfGuestNicInfo">${nics.join('')}</val>`);

describe('readDevices: the addresses VMware Tools report in guest.net', () => {
  it('given a NIC with IPv4, global IPv6 and link-local IPv6, when read, then IPv4 and global IPv6 with their prefixes', () => {
    const net = guestNet(
      guestNic(
        4000,
        '00:50:56:ab:cd:ef',
        configured('10.1.2.3', 24) +
          configured('fe80::250:56ff:feab:cdef', 64) +
          configured('2001:DB8:0:0::10', 64),
        older('10.1.2.3', 'fe80::250:56ff:feab:cdef', '2001:db8::10'),
      ),
    );

    const [first, second] = readDevices(devices, net).nics;

    expect(first).toMatchObject({
      mac: '00:50:56:ab:cd:ef',
      addressSource: 'guest-tools',
      addresses: [
        { ip: '10.1.2.3', prefix: 24 },
        { ip: '2001:db8::10', prefix: 64 },
      ],
    });
    expect(second).toEqual({
      index: 1,
      mac: '00:50:56:01:02:03',
      macKind: 'static',
      network: 'Backup LAN',
    });
  });

  it('given two NICs, when guest.net names them by device key in another order, then each gets its own, whatever the MAC says', () => {
    const net = guestNet(
      guestNic(-1, '02:42:ac:11:00:01', configured('172.17.0.1', 16)), // docker0: no device
      guestNic(4001, '00:50:56:01:02:03', configured('192.168.50.7', 23)),
      guestNic(4000, '00:50:56:99:99:99', configured('10.0.0.5', 8)),
    );

    const nics = readDevices(devices, net).nics;

    expect(nics.map((n) => [n.addressSource, n.addresses])).toEqual([
      ['guest-tools', [{ ip: '10.0.0.5', prefix: 8 }]],
      ['guest-tools', [{ ip: '192.168.50.7', prefix: 23 }]],
    ]);
  });

  it("given a guest NIC naming no device, when its MAC is a NIC's, then that NIC gets its addresses (the older list as host addresses)", () => {
    const net = guestNet(
      guestNic(-1, '00:50:56:01:02:03', '', older('192.168.50.8', '2001:db8::8', 'fe80::1')),
    );

    expect(readDevices(devices, net).nics[1]).toMatchObject({
      addressSource: 'guest-tools',
      addresses: [
        { ip: '192.168.50.8', prefix: 32 },
        { ip: '2001:db8::8', prefix: 128 },
      ],
    });
  });

  it('given only addresses a migrated guest cannot keep or that are none, then the NIC has no addresses', () => {
    const net = guestNet(
      guestNic(
        4000,
        '00:50:56:ab:cd:ef',
        configured('127.0.0.1', 8) +
          configured('::1', 128) +
          configured('fe80::1%ens192', 64) +
          configured('2001:db8::1%ens192', 64) +
          configured('febf::1', 64) +
          configured('169.254.10.1', 16) +
          configured('10.0.0.300', 24) +
          configured('10.0.0.1', 33) +
          configured('2001:db8::1', -1) +
          configured('not an address', 24),
      ),
    );

    expect(readDevices(devices, net).nics[0]).not.toHaveProperty('addresses');
    expect(readDevices(devices, net).nics[0]).not.toHaveProperty('addressSource');
  });

  it('given more addresses than a NIC holds, then the first 16, each once', () => {
    const many = Array.from({ length: 40 }, (_, i) => configured(`10.0.${i % 20}.1`, 24));
    const net = guestNet(guestNic(4000, '00:50:56:ab:cd:ef', many.join('')));

    expect(readDevices(devices, net).nics[0]?.addresses).toEqual(
      Array.from({ length: 16 }, (_, i) => ({ ip: `10.0.${i}.1`, prefix: 24 })),
    );
  });

  it('given a guest whose Tools are not running, when it has no guest.net or an empty one, then no NIC has addresses', () => {
    for (const net of [undefined, guestNet()]) {
      const nics = readDevices(devices, net).nics;

      expect(nics).toEqual(readDevices(devices).nics);
      for (const nic of nics) {
        expect(nic).not.toHaveProperty('addresses');
        expect(nic).not.toHaveProperty('addressSource');
      }
    }
  });
});

describe('VM_ELEMENTS', () => {
  it('builds only what readDevices reads: the same disks and NICs, without the CD-ROM or any description', () => {
    const pruned = parseXml(devicesXml, VM_ELEMENTS);
    expect(readDevices(pruned)).toEqual(readDevices(devices));
    expect(children(pruned).map((d) => d.xsiType)).not.toContain('VirtualCdrom');
    expect(JSON.stringify(pruned)).not.toContain('deviceInfo');
    expect(children(devices).length - children(pruned).length).toBe(1);
  });

  it('builds of guest.net what readDevices reads: the same addresses, without DNS settings', () => {
    const xml = `<val ${NS} xsi:type="ArrayOfGuestNicInfo">${guestNic(4000, '00:50:56:ab:cd:ef', configured('10.1.2.3', 24))}</val>`;
    const pruned = parseXml(xml, VM_ELEMENTS);
    expect(readDevices(devices, pruned)).toEqual(readDevices(devices, parseXml(xml)));
    expect(readDevices(devices, pruned).nics[0]?.addresses).toEqual([
      { ip: '10.1.2.3', prefix: 24 },
    ]);
    expect(JSON.stringify(pruned)).not.toContain('dnsConfig');
  });
});
