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

describe('VM_ELEMENTS', () => {
  it('builds only what readDevices reads: the same disks and NICs, without the CD-ROM or any description', () => {
    const pruned = parseXml(devicesXml, VM_ELEMENTS);
    expect(readDevices(pruned)).toEqual(readDevices(devices));
    expect(children(pruned).map((d) => d.xsiType)).not.toContain('VirtualCdrom');
    expect(JSON.stringify(pruned)).not.toContain('deviceInfo');
    expect(children(devices).length - children(pruned).length).toBe(1);
  });
});
