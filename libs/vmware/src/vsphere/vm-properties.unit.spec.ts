import { describe, expect, it } from 'vitest';
import { retrieveFromView } from './properties.ts';
import type { MoRef, ReadOnlyMethod } from './soap.ts';
import { readDevices } from './vm-properties.ts';
import { children, parseXml, type Element } from './xml.ts';

const NS = 'xmlns="urn:vim25" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

// The shapes real vSphere sends and the simulator does not: capacityInBytes, SATA/NVMe/IDE
// controllers, snapshot backings with parents, NICs on a distributed switch.
const devices = parseXml(`<val ${NS} xsi:type="ArrayOfVirtualDevice">
  <VirtualDevice xsi:type="VirtualAHCIController"><key>15000</key><busNumber>0</busNumber></VirtualDevice>
  <VirtualDevice xsi:type="VirtualNVMEController"><key>31000</key><busNumber>1</busNumber></VirtualDevice>
  <VirtualDevice xsi:type="VirtualIDEController"><key>200</key><busNumber>0</busNumber></VirtualDevice>
  <VirtualDevice xsi:type="VirtualDisk"><key>16000</key><controllerKey>15000</controllerKey><unitNumber>2</unitNumber>
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
</val>`);

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

describe('retrieveFromView', () => {
  it('follows the continuation token through every page', async () => {
    const page = (names: string[], token?: string) =>
      parseXml(
        `<r ${NS}><returnval>${token ? `<token>${token}</token>` : ''}${names.map((n, i) => `<objects><obj type="VirtualMachine">vm-${n}${i}</obj><propSet><name>name</name><val xsi:type="xsd:string">${n}</val></propSet></objects>`).join('')}</returnval></r>`,
      );
    const pages: Record<string, Element> = {
      first: page(['a', 'b'], 't1'),
      t1: page(['c'], 't2'),
      t2: page(['d']),
    };
    const calls: string[] = [];
    const soap = {
      call: async (method: ReadOnlyMethod, _target: MoRef, body = '') => {
        calls.push(method);
        const token = /<vim25:token>(.*)<\/vim25:token>/.exec(body)?.[1];
        return children(pages[token ?? 'first'] as Element, 'returnval');
      },
    };
    const objects = await retrieveFromView(
      soap,
      { type: 'PropertyCollector', value: 'pc' },
      { type: 'ContainerView', value: 'v' },
      'VirtualMachine',
      ['name'],
      2,
    );
    expect(objects.map((o) => o.props.get('name')?.textContent)).toEqual(['a', 'b', 'c', 'd']);
    expect(calls).toEqual([
      'RetrievePropertiesEx',
      'ContinueRetrievePropertiesEx',
      'ContinueRetrievePropertiesEx',
    ]);
  });
});
