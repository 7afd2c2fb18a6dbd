import { MAX_VM_DISKS } from '@ferry/contracts';
import { describe, expect, it } from 'vitest';
import { describeVm, readDevices, VM_ELEMENTS } from './vm-properties.ts';
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

// A VM's devices on one SCSI controller (key 1000) unless they name another.
const SCSI0 =
  '<VirtualDevice xsi:type="ParaVirtualSCSIController"><key>1000</key><busNumber>0</busNumber><sharedBus>noSharing</sharedBus></VirtualDevice>';
const deviceList = (...xml: string[]) =>
  parseXml(`<val ${NS} xsi:type="ArrayOfVirtualDevice">${SCSI0}${xml.join('')}</val>`);
const disk = (unit: number, backing: string, controller = 1000) =>
  `<VirtualDevice xsi:type="VirtualDisk"><key>${2000 + unit}</key><controllerKey>${controller}</controllerKey><unitNumber>${unit}</unitNumber>` +
  `<capacityInKB>1048576</capacityInKB>${backing}</VirtualDevice>`;
const flat = (inner: string, file = '[ds1] vm/vm.vmdk', ref = 'datastore-1') =>
  `<backing xsi:type="VirtualDiskFlatVer2BackingInfo"><fileName>${file}</fileName><datastore type="Datastore">${ref}</datastore>${inner}</backing>`;
const labelled = (type: string, key: number, label?: string) =>
  `<VirtualDevice xsi:type="${type}"><key>${key}</key>` +
  (label
    ? `<deviceInfo xsi:type="Description"><label>${label}</label><summary>x</summary></deviceInfo>`
    : '') +
  '</VirtualDevice>';
const refs = (...values: string[]) =>
  parseXml(
    `<val ${NS} xsi:type="ArrayOfManagedObjectReference">${values.map((v) => `<ManagedObjectReference type="Datastore">${v}</ManagedObjectReference>`).join('')}</val>`,
  );

describe('readDevices: the facts of the devices, for the pre-flight rules', () => {
  it('given PCI and SCSI passthrough devices, when read, then passthrough names each by its label, else by its key', () => {
    const devices = deviceList(
      labelled('VirtualPCIPassthrough', 13000, 'PCI device 0'),
      labelled('VirtualPCIPassthrough', 13001),
      labelled('VirtualSCSIPassthrough', 14000, 'SCSI device 0'),
    );

    const { facts } = readDevices(devices);

    expect(facts.passthrough).toEqual(['PCI device 0', 'device 13001', 'SCSI device 0']);
  });

  it('given an SR-IOV NIC, when read, then it is carried as a NIC and named in sriov', () => {
    const devices = deviceList(
      '<VirtualDevice xsi:type="VirtualSriovEthernetCard"><key>4000</key><deviceInfo><label>Network adapter 1</label></deviceInfo>' +
        '<macAddress>00:50:56:aa:bb:01</macAddress><addressType>manual</addressType><backing><deviceName>VM Network</deviceName></backing></VirtualDevice>',
      labelled('VirtualVmxnet3', 4001, 'Network adapter 2'),
    );

    const { nics, facts } = readDevices(devices);

    expect(nics.map((n) => n.mac)).toEqual(['00:50:56:aa:bb:01', null]);
    expect(facts.sriov).toEqual(['Network adapter 1']);
  });

  it('given a disk backed by a raw device mapping and one by a physical disk, when read, then rawDiskMappings names their slots', () => {
    const devices = deviceList(
      disk(0, flat('<diskMode>persistent</diskMode>')),
      disk(
        1,
        '<backing xsi:type="VirtualDiskRawDiskMappingVer1BackingInfo"><fileName>[ds1] vm/vm_1.vmdk</fileName>' +
          '<deviceName>vml.0200</deviceName><compatibilityMode>physicalMode</compatibilityMode><diskMode>independent_persistent</diskMode></backing>',
      ),
      disk(
        2,
        '<backing xsi:type="VirtualDiskRawDiskVer2BackingInfo"><descriptorFileName>[ds1] vm/pd.vmdk</descriptorFileName></backing>',
      ),
    );

    const { disks, facts } = readDevices(devices);

    expect(disks.map((d) => d.slot)).toEqual(['scsi0:0', 'scsi0:1', 'scsi0:2']);
    expect(facts.rawDiskMappings).toEqual(['scsi0:1', 'scsi0:2']);
  });

  it('given disks in each disk mode, when read, then independentDisks names those in an independent one', () => {
    const modes = [
      'persistent',
      'independent_persistent',
      'nonpersistent',
      'independent_nonpersistent',
      'undoable',
    ];
    const devices = deviceList(
      ...modes.map((m, unit) => disk(unit, flat(`<diskMode>${m}</diskMode>`))),
    );

    expect(readDevices(devices).facts.independentDisks).toEqual(['scsi0:1', 'scsi0:3']);
  });

  it('given a multi-writer disk and a disk on a shared SCSI bus, when read, then sharedDisks names both, not the others', () => {
    const devices = deviceList(
      '<VirtualDevice xsi:type="VirtualLsiLogicSASController"><key>1001</key><busNumber>1</busNumber><sharedBus>physicalSharing</sharedBus></VirtualDevice>',
      '<VirtualDevice xsi:type="VirtualAHCIController"><key>15000</key><busNumber>0</busNumber></VirtualDevice>',
      disk(0, flat('<sharing>sharingNone</sharing>')),
      disk(1, flat('<sharing>sharingMultiWriter</sharing>')),
      disk(2, flat(''), 1001),
      disk(3, flat(''), 15000),
    );

    expect(readDevices(devices).facts.sharedDisks).toEqual(['scsi0:1', 'scsi1:2']);
  });

  it('given USB 2 and USB 3 controllers, when read, then usbControllers counts both kinds', () => {
    const devices = deviceList(
      labelled('VirtualUSBController', 7000),
      labelled('VirtualUSBXHCIController', 14000),
    );

    expect(readDevices(devices).facts.usbControllers).toBe(2);
    expect(readDevices(deviceList()).facts.usbControllers).toBe(0);
  });

  it('given a virtual TPM, when read, then vtpm is true; without one, false', () => {
    expect(readDevices(deviceList(labelled('VirtualTPM', 11000))).facts.vtpm).toBe(true);
    expect(readDevices(deviceList()).facts.vtpm).toBe(false);
  });

  it("given disks whose backing chain names datastores, when one is not among the VM's datastores, then missingDatastores names it once", () => {
    const devices = deviceList(
      disk(0, flat('')),
      disk(1, flat('', '[gone] vm/vm_1.vmdk', 'datastore-9')),
      disk(2, flat('', '[gone] vm/vm_2.vmdk', 'datastore-9')),
      disk(
        3,
        flat(
          '<parent xsi:type="VirtualDiskFlatVer2BackingInfo"><fileName>[snaps] vm/vm_3.vmdk</fileName></parent>',
          '[ds1] vm/vm_3-000001.vmdk',
        ),
      ),
    );

    expect(readDevices(devices, undefined, refs('datastore-1')).facts.missingDatastores).toEqual([
      'gone',
      'snaps',
    ]);
    expect(
      readDevices(devices, undefined, refs('datastore-1', 'datastore-9')).facts.missingDatastores,
    ).toEqual(['snaps']);
  });

  it('given no datastore property, when read, then missingDatastores is left out: nothing was said', () => {
    expect(readDevices(deviceList(disk(0, flat('')))).facts).not.toHaveProperty(
      'missingDatastores',
    );
  });

  it('given no device list, when read, then no device fact is stated', () => {
    expect(readDevices(undefined).facts).toEqual({});
  });

  it('given more devices of a kind than the contract lists, when read, then the first 64 and at most 16 USB controllers', () => {
    const many = Array.from({ length: 80 }, (_, unit) =>
      disk(
        unit % 64,
        flat('<diskMode>independent_persistent</diskMode>'),
        1000 + Math.floor(unit / 64),
      ),
    );
    const devices = deviceList(
      '<VirtualDevice xsi:type="ParaVirtualSCSIController"><key>1001</key><busNumber>1</busNumber></VirtualDevice>',
      ...many,
      ...Array.from({ length: 20 }, (_, i) => labelled('VirtualUSBController', 7000 + i)),
      ...Array.from({ length: 70 }, (_, i) =>
        labelled('VirtualPCIPassthrough', 13000 + i, 'x'.repeat(300)),
      ),
    );

    const { facts } = readDevices(devices);

    expect(facts.independentDisks).toHaveLength(64);
    expect(facts.independentDisks?.at(-1)).toBe('scsi0:63');
    expect(facts.passthrough).toHaveLength(64);
    expect(facts.passthrough?.[0]).toBe('x'.repeat(255));
    expect(facts.usbControllers).toBe(16);
  });
});

const prop = (xml: string) => parseXml(`<val ${NS}>${xml}</val>`);
const context = {
  source: { kind: 'esxi', id: 'esx.test' },
  prefix: 'vs-0123456789ab',
  datacenter: 'ha-datacenter',
  hosts: new Map<string, string>(),
} as const;
const described = (props: Record<string, string>) =>
  describeVm(
    {
      obj: { type: 'VirtualMachine', value: 'vm-1' },
      props: new Map(Object.entries(props).map(([k, v]) => [k, prop(v)])),
    },
    context,
  ).vm;

describe('describeVm: the facts of the settings and the guest', () => {
  it('given hot-add on for CPUs and off for memory, when described, then cpuHotAdd and memoryHotAdd say so', () => {
    const vm = described({
      'config.cpuHotAddEnabled': 'true',
      'config.memoryHotAddEnabled': 'false',
      'config.hardware.memoryMB': '4096',
    });

    expect(vm.facts).toMatchObject({ cpuHotAdd: true, memoryHotAdd: false });
  });

  it('given no hot-add settings, when described, then neither is stated', () => {
    const vm = described({ 'config.hardware.memoryMB': '4096' });

    expect(vm.facts).not.toHaveProperty('cpuHotAdd');
    expect(vm.facts).not.toHaveProperty('memoryHotAdd');
  });

  it("given the guest's host name from VMware Tools, when described, then hostname is it; none when Tools report none", () => {
    expect(described({ 'guest.hostName': ' app01.example.com ' }).facts?.hostname).toBe(
      'app01.example.com',
    );
    expect(described({ 'guest.hostName': '' }).facts).not.toHaveProperty('hostname');
    expect(described({}).facts).not.toHaveProperty('hostname');
  });

  it('given no readable memory size, when described, then memoryAssumed is true and the size the least', () => {
    for (const memory of [undefined, '', '0', 'lots']) {
      const vm = described(memory === undefined ? {} : { 'config.hardware.memoryMB': memory });

      expect([vm.memoryMiB, vm.facts?.memoryAssumed]).toEqual([1, true]);
    }
    expect(described({ 'config.hardware.memoryMB': '2048' }).facts?.memoryAssumed).toBe(false);
  });

  it('given the devices and the datastores the VM uses, when described, then their facts are its facts', () => {
    const vm = described({
      'config.hardware.device': `${SCSI0}${disk(0, flat('', '[gone] vm/vm.vmdk', 'datastore-9'))}<VirtualDevice xsi:type="VirtualTPM"><key>11000</key></VirtualDevice>`,
      datastore: '<ManagedObjectReference type="Datastore">datastore-1</ManagedObjectReference>',
    });

    expect(vm.facts).toMatchObject({ vtpm: true, missingDatastores: ['gone'] });
  });

  it('given a BIOS UUID in any case, when described, then uuid is its lower-case 8-4-4-4-12; a malformed one is left out', () => {
    expect(described({ 'config.uuid': '564D1234-5678-9ABC-DEF0-123456789ABC' }).uuid).toBe(
      '564d1234-5678-9abc-def0-123456789abc',
    );
    expect(described({ 'config.uuid': 'not-a-uuid' })).not.toHaveProperty('uuid');
  });

  it('given more disks than 64, when described, then every one up to MAX_VM_DISKS is kept', () => {
    const controllers = [0, 1, 2, 3, 4].map(
      (bus) =>
        `<VirtualDevice xsi:type="ParaVirtualSCSIController"><key>${1000 + bus}</key><busNumber>${bus}</busNumber></VirtualDevice>`,
    );
    const disks = Array.from({ length: 300 }, (_, i) =>
      disk(i % 64, flat(''), 1000 + Math.floor(i / 64)),
    );

    const vm = described({ 'config.hardware.device': [...controllers, ...disks].join('') });

    expect(vm.disks).toHaveLength(MAX_VM_DISKS);
    expect(vm.disks.at(-1)?.slot).toBe('scsi3:63');
  });
});

describe('VM_ELEMENTS: the facts', () => {
  it('builds what the facts read: the devices with facts and the labels of those named by label, no other description', () => {
    const xml =
      `<val ${NS} xsi:type="ArrayOfVirtualDevice">${SCSI0}` +
      labelled('VirtualPCIPassthrough', 13000, 'PCI device 0') +
      labelled('VirtualUSBXHCIController', 14000, 'USB xHCI controller') +
      labelled('VirtualTPM', 11000, 'Virtual TPM') +
      labelled('VirtualSoundCard', 5000, 'Sound card') +
      disk(
        0,
        flat('<diskMode>independent_persistent</diskMode>', '[gone] vm/vm.vmdk', 'datastore-9'),
      ) +
      '</val>';

    const pruned = parseXml(xml, VM_ELEMENTS);

    expect(readDevices(pruned, undefined, refs('datastore-1'))).toEqual(
      readDevices(parseXml(xml), undefined, refs('datastore-1')),
    );
    expect(readDevices(pruned).facts).toMatchObject({
      passthrough: ['PCI device 0'],
      usbControllers: 1,
      vtpm: true,
      independentDisks: ['scsi0:0'],
    });
    expect(JSON.stringify(pruned)).toContain('PCI device 0');
    expect(JSON.stringify(pruned)).not.toMatch(/USB xHCI controller|Virtual TPM|Sound card/);
  });
});
