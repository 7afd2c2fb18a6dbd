import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { vmProblem } from '../testing/contract.ts';
import { describeVm, readDevices, VM_ELEMENTS, VM_PROPERTIES } from './vm-properties.ts';
import { escapeXml, parseXml, type Keep } from './xml.ts';

const NS = 'xmlns="urn:vim25" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';
const val = (xml: string, keep?: Keep) => parseXml(`<val ${NS}>${xml}</val>`, keep);
const el = (name: string, value: string | null) =>
  value === null ? '' : `<${name}>${escapeXml(value)}</${name}>`;

// Numbers as vSphere sends them, and as it should not.
const number = fc.oneof(
  fc.nat(70).map(String),
  fc.constantFrom('-1', '1.5', '1e3', 'NaN', '', ' 7 ', '9007199254740993', '9'.repeat(40)),
);
const mac = fc.constantFrom(
  '00:50:56:AB:CD:EF',
  '00:50:56:ab:cd:ef',
  '00-50-56-01-02-03',
  'zz',
  '',
);
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.constantFrom('x', 'y').map((s) => s.repeat(5000)),
);
// Words vSphere uses in the fields facts read, and others.
const word = fc.oneof(
  text,
  fc.constantFrom(
    'independent_persistent',
    'independent_nonpersistent',
    'persistent',
    'sharingMultiWriter',
    'physicalSharing',
    'noSharing',
    '[ds1] a.vmdk',
    '[] a.vmdk',
  ),
);
const device = fc.oneof(
  fc
    .record({
      type: fc.constantFrom(
        'ParaVirtualSCSIController',
        'VirtualAHCIController',
        'VirtualIDEController',
      ),
      key: number,
      bus: fc.option(number),
      sharedBus: fc.option(word),
    })
    .map(
      (c) =>
        `<VirtualDevice xsi:type="${c.type}">${el('key', c.key)}${el('busNumber', c.bus)}${el('sharedBus', c.sharedBus)}</VirtualDevice>`,
    ),
  fc
    .record({
      controllerKey: fc.option(number),
      unit: fc.option(number),
      bytes: fc.option(number),
      kb: fc.option(number),
      backing: fc.constantFrom(
        'VirtualDiskFlatVer2BackingInfo',
        'VirtualDiskRawDiskMappingVer1BackingInfo',
        'Other',
      ),
      fileName: fc.option(
        fc.oneof(
          text,
          word.map((w) => `[${w}] disk.vmdk`),
        ),
      ),
      datastore: fc.option(word),
      diskMode: fc.option(word),
      sharing: fc.option(word),
      parents: fc.nat(300),
    })
    .map(
      (d) =>
        `<VirtualDevice xsi:type="VirtualDisk">${el('controllerKey', d.controllerKey)}${el('unitNumber', d.unit)}` +
        `${el('capacityInBytes', d.bytes)}${el('capacityInKB', d.kb)}<backing xsi:type="${d.backing}">${el('fileName', d.fileName)}` +
        `${el('datastore', d.datastore)}${el('diskMode', d.diskMode)}${el('sharing', d.sharing)}` +
        `${'<parent><fileName>[p] p.vmdk</fileName>'.repeat(d.parents)}${'</parent>'.repeat(d.parents)}</backing></VirtualDevice>`,
    ),
  fc
    .record({
      type: fc.constantFrom(
        'VirtualPCIPassthrough',
        'VirtualSCSIPassthrough',
        'VirtualSriovEthernetCard',
        'VirtualUSBController',
        'VirtualUSBXHCIController',
        'VirtualTPM',
      ),
      key: fc.option(number),
      label: fc.option(text),
    })
    .map(
      (d) =>
        `<VirtualDevice xsi:type="${d.type}">${el('key', d.key)}` +
        (d.label === null ? '' : `<deviceInfo>${el('label', d.label)}</deviceInfo>`) +
        '</VirtualDevice>',
    ),
  fc
    .record({
      key: fc.option(number),
      mac: fc.option(mac),
      addressType: fc.option(fc.constantFrom('manual', 'assigned', 'generated')),
      network: fc.option(text),
      portgroup: fc.option(text),
    })
    .map(
      (n) =>
        `<VirtualDevice xsi:type="VirtualVmxnet3">${el('key', n.key)}${el('macAddress', n.mac)}${el('addressType', n.addressType)}` +
        `<backing>${el('deviceName', n.network)}<port>${el('portgroupKey', n.portgroup)}</port></backing></VirtualDevice>`,
    ),
);
// Addresses as Tools report them, and as they should not.
const ip = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.ipV4Extended(),
  fc.constantFrom(
    'fe80::1%eth0',
    '2001:db8::1%eth0',
    '::ffff:127.0.0.1',
    '1.2.3.4/24',
    ' 10.0.0.1 ',
    '',
    '::',
  ),
  text,
);
const guestNic = fc
  .record({
    id: fc.option(number),
    mac: fc.option(mac),
    older: fc.array(ip, { maxLength: 4 }),
    configured: fc.option(fc.array(fc.record({ ip: fc.option(ip), prefix: fc.option(number) }))),
  })
  .map(
    (g) =>
      `<GuestNicInfo>${g.older.map((a) => el('ipAddress', a)).join('')}${el('macAddress', g.mac)}${el('deviceConfigId', g.id)}` +
      (g.configured
        ? `<ipConfig>${g.configured.map((a) => `<ipAddress>${el('ipAddress', a.ip)}${el('prefixLength', a.prefix)}</ipAddress>`).join('')}</ipConfig>`
        : '') +
      '</GuestNicInfo>',
  );
// Every property describeVm reads, each absent or with a value it may not expect.
const props = fc.record(
  Object.fromEntries(
    VM_PROPERTIES.map((p) => [
      p,
      p === 'config.hardware.device'
        ? fc.option(
            fc
              .oneof(
                { arbitrary: fc.array(device, { maxLength: 8 }), weight: 9 },
                // Past what the contract's lists hold.
                { arbitrary: fc.array(device, { minLength: 70, maxLength: 90 }), weight: 1 },
              )
              .map((ds) => val(ds.join(''))),
          )
        : p === 'guest.net'
          ? fc.option(fc.array(guestNic, { maxLength: 8 }).map((gs) => val(gs.join(''))))
          : p === 'datastore'
            ? fc.option(
                fc
                  .array(word, { maxLength: 3 })
                  .map((ws) => val(ws.map((w) => el('ManagedObjectReference', w)).join(''))),
              )
            : fc.option(
                fc
                  .oneof(number, text, fc.constantFrom('true', 'false', ' true'))
                  .map((v) => val(escapeXml(v))),
              ),
    ]),
  ),
);
const moref = fc.oneof(
  fc.constantFrom('vm-42', '7', 'vm 42', 'vm.42'),
  fc.string({ minLength: 1 }),
);

const context = {
  source: { kind: 'vcenter', id: 'vc.test' },
  prefix: 'vs-0123456789ab',
  datacenter: 'dc',
  hosts: new Map([['host-1', 'esx1']]),
} as const;

describe('describeVm: what vSphere says of a VM is outside data', () => {
  it('makes of any properties a VM that fits the contract', () => {
    fc.assert(
      fc.property(moref, props, (value, found) => {
        const entries = Object.entries(found).flatMap(([k, v]) => (v ? [[k, v] as const] : []));
        const vm = { obj: { type: 'VirtualMachine', value }, props: new Map(entries) };
        expect(vmProblem(describeVm(vm, context).vm)).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });
});

describe('readDevices: the devices of a VM', () => {
  const KINDS = {
    VirtualLsiLogicController: 'scsi',
    VirtualSATAController: 'sata',
    VirtualNVMEController: 'nvme',
  } as const;
  const controller = fc.record({
    type: fc.constantFrom(...(Object.keys(KINDS) as (keyof typeof KINDS)[])),
    bus: fc.nat(3),
    // Written on SCSI controllers only, as vSphere does.
    sharedBus: fc.option(fc.constantFrom('noSharing', 'virtualSharing', 'physicalSharing')),
  });
  const DATASTORES = ['datastore-1', 'datastore-2', 'datastore-3'];
  // A file in a backing chain: the datastore its path names, and the reference vSphere resolved it to.
  const file = fc.record({
    name: fc.stringMatching(/^[\w-]{1,8}$/),
    ref: fc.option(fc.constantFrom(...DATASTORES)),
  });
  const RAW = ['VirtualDiskRawDiskMappingVer1BackingInfo', 'VirtualDiskRawDiskVer2BackingInfo'];
  const disk = fc.record({
    on: fc.nat(),
    unit: fc.nat(63),
    kb: fc.nat(2 ** 32),
    bytes: fc.option(fc.nat(2 ** 50)),
    file,
    path: fc.stringMatching(/^[\w/.-]{1,20}$/),
    parents: fc.array(fc.option(file), { maxLength: 5 }),
    backing: fc.constantFrom(
      'VirtualDiskFlatVer2BackingInfo',
      'VirtualDiskSeSparseBackingInfo',
      ...RAW,
    ),
    mode: fc.option(
      fc.constantFrom(
        'persistent',
        'nonpersistent',
        'undoable',
        'independent_persistent',
        'independent_nonpersistent',
        'append',
      ),
    ),
    sharing: fc.option(fc.constantFrom('sharingNone', 'sharingMultiWriter')),
  });
  const label = fc.option(fc.stringMatching(/^[\w .-]{0,16}$/));
  const nic = fc.record({
    mac: fc.option(fc.stringMatching(/^[0-9A-F]{2}(:[0-9a-f]{2}){5}$/)),
    manual: fc.boolean(),
    network: fc.oneof(
      fc.record({ name: fc.string({ minLength: 1, maxLength: 12 }) }),
      fc.record({ portgroup: fc.stringMatching(/^dvportgroup-\d{1,4}$/) }),
    ),
    sriov: fc.boolean(),
    label,
  });
  // Devices read for their facts alone, and one that is not.
  const other = fc.record({
    type: fc.constantFrom(
      'VirtualPCIPassthrough',
      'VirtualSCSIPassthrough',
      'VirtualUSBController',
      'VirtualUSBXHCIController',
      'VirtualTPM',
      'VirtualSoundCard',
    ),
    label,
  });
  // What Tools report for a NIC: addresses a migrated guest keeps (IPv6 written as it comes back)
  // among others it cannot, named by the NIC's device key or only by its MAC, with prefixes or
  // (older Tools) without.
  const kept = fc.oneof(
    fc
      .tuple(fc.ipV4(), fc.nat(32))
      .filter(([ip]) => !/^(127\.|169\.254\.|0\.0\.0\.0$)/.test(ip))
      .map(([ip, prefix]) => ({ ip, prefix, kept: true })),
    fc
      .tuple(
        fc.array(fc.oneof(fc.constant(0), fc.nat(0xffff)), { minLength: 6, maxLength: 6 }),
        fc.boolean(),
        fc.nat(128),
      )
      .map(([groups, upper, prefix]) => {
        const ip = `2001:db8:${groups.map((g) => g.toString(16)).join(':')}`;
        return { ip: upper ? ip.toUpperCase() : ip, prefix, kept: true };
      }),
  );
  const dropped = fc
    .constantFrom(
      'fe80::250:56ff:fe00:1',
      'febf::1',
      '127.0.0.1',
      '::1',
      '169.254.3.4',
      '2001:db8::1%eth0',
      'x',
    )
    .map((ip) => ({ ip, prefix: 64, kept: false }));
  const guest = fc.record({
    addresses: fc.array(fc.oneof(kept, dropped), { maxLength: 20 }),
    byMac: fc.boolean(),
    older: fc.boolean(),
  });
  const devices = fc.record({
    controllers: fc.array(controller, { minLength: 1, maxLength: 3 }),
    disks: fc.array(disk, { maxLength: 6 }),
    nics: fc.array(fc.record({ nic, guest: fc.option(guest) }), { maxLength: 4 }),
    others: fc.array(other, { maxLength: 6 }),
    // The VM's `datastore` property, when read.
    datastores: fc.option(fc.subarray(DATASTORES)),
  });
  type Devices = typeof devices extends fc.Arbitrary<infer D> ? D : never;
  // By MAC only where the NIC has one; a guest interface on no device (-1) with a MAC no NIC has
  // is noise for every NIC.
  const byMac = ({ nic, guest }: Devices['nics'][number]) =>
    guest?.byMac === true && nic.mac !== null;
  const guestNet = (nics: Devices['nics']) =>
    val(
      [
        '<GuestNicInfo><macAddress>02:42:0a:0b:0c:0d</macAddress><deviceConfigId>-1</deviceConfigId>' +
          '<ipConfig><ipAddress><ipAddress>172.17.0.1</ipAddress><prefixLength>16</prefixLength></ipAddress></ipConfig></GuestNicInfo>',
        ...nics.map((n, i) => {
          const g = n.guest;
          if (!g) return '';
          const id = byMac(n) ? -1 : 4000 + i;
          const addresses = g.older
            ? g.addresses.map((a) => el('ipAddress', a.ip)).join('')
            : `<ipConfig>${g.addresses.map((a) => `<ipAddress>${el('ipAddress', a.ip)}<prefixLength>${a.prefix}</prefixLength></ipAddress>`).join('')}</ipConfig>`;
          return `<GuestNicInfo>${addresses}${el('macAddress', n.nic.mac)}<deviceConfigId>${id}</deviceConfigId></GuestNicInfo>`;
        }),
      ]
        .reverse()
        .join(''),
    );
  // What each NIC should read back: its guest interfaces' kept addresses, each once, at most 16.
  const expectedAddresses = (nics: Devices['nics'], i: number) => {
    const n = nics[i] as Devices['nics'][number];
    const mine = byMac(n)
      ? nics.filter((m) => byMac(m) && m.nic.mac?.toLowerCase() === n.nic.mac?.toLowerCase())
      : [n];
    const out: { ip: string; prefix: number }[] = [];
    for (const { guest: g } of mine)
      for (const a of g?.addresses ?? []) {
        if (!a.kept) continue;
        const ip = a.ip.includes(':') ? new URL(`http://[${a.ip}]/`).hostname.slice(1, -1) : a.ip;
        if (out.length < 16 && !out.some((b) => b.ip === ip))
          out.push({ ip, prefix: g?.older ? (ip.includes(':') ? 128 : 32) : a.prefix });
      }
    return out.length ? { addresses: out, addressSource: 'guest-tools' } : {};
  };
  const fileOf = (f: Devices['disks'][number]['file'], path: string) =>
    `<fileName>[${f.name}] ${escapeXml(path)}</fileName>${el('datastore', f.ref)}`;
  const deviceInfo = (l: string | null) =>
    l === null ? '' : `<deviceInfo><label>${escapeXml(l)}</label><summary>s</summary></deviceInfo>`;
  const write = ({ controllers, disks, nics, others }: Devices) =>
    [
      ...controllers.map(
        (c, i) =>
          `<VirtualDevice xsi:type="${c.type}"><key>${1000 + i}</key><busNumber>${c.bus}</busNumber>` +
          `${KINDS[c.type] === 'scsi' ? el('sharedBus', c.sharedBus) : ''}</VirtualDevice>`,
      ),
      ...disks.map(
        (d) =>
          `<VirtualDevice xsi:type="VirtualDisk"><controllerKey>${1000 + (d.on % controllers.length)}</controllerKey>` +
          `<unitNumber>${d.unit}</unitNumber><capacityInKB>${d.kb}</capacityInKB>${el('capacityInBytes', d.bytes === null ? null : String(d.bytes))}` +
          `<backing xsi:type="${d.backing}">${fileOf(d.file, d.path)}${el('diskMode', d.mode)}${el('sharing', d.sharing)}` +
          d.parents.map((p) => `<parent>${p ? fileOf(p, 'parent.vmdk') : ''}`).join('') +
          `${'</parent>'.repeat(d.parents.length)}</backing></VirtualDevice>`,
      ),
      ...nics.map(
        ({ nic: n }, i) =>
          `<VirtualDevice xsi:type="${n.sriov ? 'VirtualSriovEthernetCard' : 'VirtualE1000e'}"><key>${4000 + i}</key>${deviceInfo(n.label)}` +
          `${el('macAddress', n.mac)}<addressType>${n.manual ? 'manual' : 'assigned'}</addressType><backing>` +
          ('name' in n.network
            ? el('deviceName', n.network.name)
            : `<port><portgroupKey>${n.network.portgroup}</portgroupKey></port>`) +
          '</backing></VirtualDevice>',
      ),
      ...others.map(
        (o, i) =>
          `<VirtualDevice xsi:type="${o.type}"><key>${13000 + i}</key>${deviceInfo(o.label)}</VirtualDevice>`,
      ),
    ].join('');
  const controllerOf = (d: Devices, disk: Devices['disks'][number]) =>
    d.controllers[disk.on % d.controllers.length] as Devices['controllers'][number];
  const slotOf = (d: Devices, disk: Devices['disks'][number]) => {
    const c = controllerOf(d, disk);
    return `${KINDS[c.type]}${c.bus}:${disk.unit}`;
  };
  // What the facts should read back: a model of each rule in the contract's words.
  const expectedFacts = (d: Devices) => {
    const named = (l: string | null, key: number) => l?.trim() || `device ${key}`;
    const slots = (keep: (disk: Devices['disks'][number]) => boolean) =>
      d.disks.filter(keep).map((disk) => slotOf(d, disk));
    const used = d.datastores && new Set(d.datastores);
    const missing = new Set<string>();
    for (const disk of d.disks)
      for (const f of [disk.file, ...disk.parents])
        if (used && f && !used.has(f.ref ?? '')) missing.add(f.name);
    return {
      passthrough: d.others.flatMap((o, i) =>
        o.type.endsWith('Passthrough') ? [named(o.label, 13000 + i)] : [],
      ),
      sriov: d.nics.flatMap(({ nic: n }, i) => (n.sriov ? [named(n.label, 4000 + i)] : [])),
      rawDiskMappings: slots((disk) => RAW.includes(disk.backing)),
      sharedDisks: slots((disk) => {
        const c = controllerOf(d, disk);
        const bus = KINDS[c.type] === 'scsi' ? (c.sharedBus ?? 'noSharing') : 'noSharing';
        return disk.sharing === 'sharingMultiWriter' || bus !== 'noSharing';
      }),
      independentDisks: slots((disk) => disk.mode?.startsWith('independent_') ?? false),
      usbControllers: d.others.filter((o) => o.type.startsWith('VirtualUSB')).length,
      vtpm: d.others.some((o) => o.type === 'VirtualTPM'),
      ...(used ? { missingDatastores: [...missing] } : {}),
    };
  };
  const datastoresOf = (d: Devices) =>
    d.datastores
      ? val(
          d.datastores
            .map(
              (ref) => `<ManagedObjectReference type="Datastore">${ref}</ManagedObjectReference>`,
            )
            .join(''),
        )
      : undefined;

  it('reads back each disk on its controller slot, with its size and chain, each NIC with its addresses, and the facts', () => {
    fc.assert(
      fc.property(devices, (d) => {
        const read = readDevices(val(write(d)), guestNet(d.nics), datastoresOf(d));
        expect(read.disks).toEqual(
          d.disks.map((disk, index) => ({
            index,
            controller: KINDS[controllerOf(d, disk).type],
            slot: slotOf(d, disk),
            path: `[${disk.file.name}] ${disk.path}`,
            capacityBytes: disk.bytes ?? disk.kb * 1024,
            chainLength: disk.parents.length + 1,
          })),
        );
        expect(read.facts).toEqual(expectedFacts(d));
        // What VM_ELEMENTS leaves out changes nothing read.
        expect(readDevices(val(write(d), VM_ELEMENTS), guestNet(d.nics), datastoresOf(d))).toEqual(
          read,
        );
        expect(read.nics).toEqual(
          d.nics.map(({ nic: n }, index) => ({
            index,
            mac: n.mac?.toLowerCase() ?? null,
            macKind: n.mac === null ? 'none' : n.manual ? 'static' : 'generated',
            ...('name' in n.network
              ? { network: n.network.name }
              : { network: n.network.portgroup, portgroupKey: n.network.portgroup }),
            ...expectedAddresses(d.nics, index),
          })),
        );
      }),
      { numRuns: 2000 },
    );
  });
});
