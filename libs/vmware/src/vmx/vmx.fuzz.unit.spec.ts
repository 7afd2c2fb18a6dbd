import { DISK_CONTROLLERS, type VmDescription, type VmFacts } from '@ferry/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { vmProblem } from '../testing/contract.ts';
import { mutated } from '../testing/mutations.ts';
import { readOrRefuse } from '../testing/refusals.ts';
import { biosUuid } from './bios-uuid.ts';
import { describeVmx } from './describe-vmx.ts';
import { parseVmx } from './parse-vmx.ts';

const encode = (text: string) => new TextEncoder().encode(text);
// What VMware cannot leave bare in a quoted value, written as |XX.
const escape = (value: string) =>
  [...value]
    .map((c) =>
      c < ' ' || c === '\x7f' || '"|#'.includes(c)
        ? `|${c.charCodeAt(0).toString(16).padStart(2, '0')}`
        : c,
    )
    .join('');

const ENCODINGS = ['UTF-8', 'windows-1252', 'Shift_JIS', 'utf-16le', 'iso-2022-kr', 'no-such', ''];
const key = fc.oneof(
  fc.constantFrom('displayName', 'memsize', 'numvcpus', 'scsi0:0.fileName', 'ethernet0.present'),
  fc.stringMatching(/^[A-Za-z0-9.:_-]{1,16}$/),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
);
const value = fc.oneof(
  fc.constantFrom('TRUE', '-1', '0', '1e308', '99999999999999999999', '|', '|4', '|zz', '"', ''),
  fc.string({ unit: 'grapheme', maxLength: 16 }),
);
const line = fc.oneof(
  fc.tuple(key, value).map(([k, v]) => `${k} = "${v}"`),
  fc.tuple(key, value).map(([k, v]) => `${k}=${v}`),
  fc.constantFrom(...ENCODINGS).map((e) => `.encoding = "${e}"`),
  fc.constantFrom('', '# comment', '  ', '= "no key"', 'no equals sign', '\t#', '\uFEFF'),
);
const vmxText = fc
  .tuple(fc.array(line, { maxLength: 24 }), fc.constantFrom('\n', '\r\n', '\r'))
  .map(([lines, newline]) => lines.join(newline));

describe('parseVmx: a .vmx is outside data', () => {
  it('reads or refuses any bytes, saying why', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1024 }), (bytes) => {
        readOrRefuse(() => parseVmx(bytes), Error);
      }),
      { numRuns: 3000 },
    );
  });

  it('reads or refuses near-.vmx text, its bytes edited, and what it reads has lower-case keys', () => {
    fc.assert(
      fc.property(mutated(vmxText.map(encode)), (bytes) => {
        const parsed = readOrRefuse(() => parseVmx(bytes), Error);
        for (const k of parsed?.entries.keys() ?? []) expect(k).toBe(k.toLowerCase());
      }),
      { numRuns: 3000 },
    );
  });

  it('gives back every key and value written, VMware-escaped, the last of a key winning', () => {
    const entry = fc.tuple(
      fc.stringMatching(/^[A-Za-z][A-Za-z0-9.:_]{0,15}$/),
      fc.string({ unit: 'grapheme', maxLength: 24 }),
    );
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 16 }), (written) => {
        const text = written.map(([k, v]) => `${k} = "${escape(v)}"`).join('\n');
        const expected = new Map(written.map(([k, v]) => [k.toLowerCase(), v]));
        expect(parseVmx(encode(text)).entries).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });
});

const odd = fc.constantFrom('01', '00', '-1', '1e3', '9'.repeat(20));
// Few slots, so that a slot's keys meet, and many, so that odd numbers are tried.
const slotKey = (...suffixes: string[]) =>
  fc
    .tuple(
      fc.constantFrom(...DISK_CONTROLLERS, 'pvscsi'),
      fc.oneof(fc.nat(1).map(String), fc.nat(3).map(String), odd),
      fc.oneof(fc.nat(2).map(String), fc.nat(64).map(String), odd),
      fc.constantFrom(...suffixes),
    )
    .map(([c, bus, unit, suffix]) => `${c}${bus}:${unit}${suffix}`);
const vmKey = fc.oneof(
  slotKey('.present'),
  slotKey('.filename'),
  slotKey('.devicetype', '.mode', '.sharing'),
  fc
    .tuple(
      fc.constantFrom('scsi0', 'sata0', 'nvme1', 'ide0'),
      fc.constantFrom('present', 'sharedbus'),
    )
    .map(([c, field]) => `${c}.${field}`),
  fc
    .tuple(
      fc.oneof(fc.nat(12).map(String), fc.constantFrom('01', '999')),
      fc.constantFrom('present', 'addresstype', 'address', 'generatedaddress', 'connectiontype'),
      fc.constantFrom('ethernet', 'pcipassthru'),
    )
    .map(([n, field, device]) => `${device}${n}.${field}`),
  fc
    .tuple(
      fc.constantFrom('ethernet', 'pcipassthru'),
      fc.nat(2),
      fc.constantFrom('virtualdev', 'pfid', 'id', 'deviceid'),
    )
    .map(([device, n, field]) => `${device}${n}.${field}`),
  fc.constantFrom('numvcpus', 'memsize', 'firmware', 'displayname', 'checkpoint.vmstate'),
  fc.constantFrom('usb.present', 'ehci.present', 'usb_xhci.present', 'vtpm.present'),
  fc.constantFrom('vcpu.hotadd', 'mem.hotadd', 'disk.locking', 'uuid.bios'),
);
const vmValue = fc.oneof(
  fc.constantFrom('TRUE', 'true', 'FALSE', '1', 'disk.vmdk', 'x.iso', 'cdrom-image', 'static'),
  fc.constantFrom('00:0C:29:aa:bb:cc', '00-50-56-01-02-03', 'efi', '0', '-4', '1.5', '1e300'),
  fc.constantFrom('0x10', '9'.repeat(30), 'NaN', ''),
  fc.constantFrom('scsi-passthru', 'rawDisk', 'plainDisk', 'x-rdm.vmdk', 'x-rdmp.vmdk', 'x.pln'),
  fc.constantFrom('independent-persistent', 'independent-nonpersistent', 'multi-writer'),
  fc.constantFrom('physical', 'virtual', 'sriov', '0000:03:00.0', 'false'),
  fc.constantFrom('56 4d 12 34 56 78 9a bc-de f0 12 34 56 78 9a bc', '564D1234-5678-9ABC'),
  fc.string({ maxLength: 12 }),
);
// Whole devices, so that a slot's keys meet.
const device = fc
  .record(
    {
      slot: fc
        .tuple(fc.constantFrom(...DISK_CONTROLLERS), fc.nat(1), fc.nat(3))
        .map(([c, bus, unit]) => `${c}${bus}:${unit}`),
      devicetype: fc.constantFrom(
        'scsi-passthru',
        'rawDisk',
        'plainDisk',
        'disk',
        'cdrom-raw',
        'tape',
      ),
      filename: fc.constantFrom(
        '',
        'a.vmdk',
        'a-rdm.vmdk',
        'a-RDMP.vmdk',
        'a.pln',
        'a.iso',
        '/dev/sg2',
      ),
      mode: fc.constantFrom('independent-persistent', 'independent-nonpersistent', 'persistent'),
      sharing: fc.constantFrom('multi-writer', 'none'),
    },
    { requiredKeys: ['slot'] },
  )
  .map(({ slot, ...fields }): [string, string][] => [
    [`${slot}.present`, 'TRUE'],
    ...Object.entries(fields).map(([field, v]): [string, string] => [`${slot}.${field}`, v]),
  ]);
const vmDevices = fc.array(device, { maxLength: 12 });
const vmPairs = fc.array(fc.tuple(vmKey, vmValue), { maxLength: 40 });
const SLOT = /^(scsi|sata|ide|nvme)(0|[1-9]\d{0,2}):(0|[1-9]\d{0,2})\.present$/;
const yes = (value: string | undefined) => /^(true|yes|1)$/i.test(value ?? '');
/** A VM that is nothing but its facts: whether they fit the contract. */
const withFacts = (facts: VmFacts): VmDescription => ({
  key: 'k',
  name: 'vm',
  source: { kind: 'workstation', id: '/vms' },
  cpus: 1,
  memoryMiB: 1,
  firmware: 'bios',
  secureBoot: false,
  guestOs: 'other',
  powerState: 'poweredOff',
  hasSnapshots: false,
  disks: [],
  nics: [],
  facts,
});

describe('describeVmx: whatever the keys say', () => {
  it('describes each present slot once, with counts that are counts and MACs that are MACs', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(vmKey, vmValue), { maxLength: 40 }), (pairs) => {
        const entries = new Map(pairs);
        const d = describeVmx(entries, 'vm');
        const slots = d.disks.map((disk) => disk.slot);
        expect(new Set(slots).size).toBe(slots.length);
        for (const disk of d.disks) {
          expect(disk.slot).toMatch(/^(scsi|sata|ide|nvme)(0|[1-9]\d*):(0|[1-9]\d*)$/);
          expect(disk.slot.startsWith(disk.controller)).toBe(true);
          expect(entries.get(`${disk.slot}.present`)).toMatch(/^(true|1)$/i);
          expect(disk.fileName).not.toBe('');
        }
        const indexes = d.nics.map((n) => n.index);
        expect(new Set(indexes).size).toBe(indexes.length);
        for (const nic of d.nics) {
          expect(nic.mac ?? '00:00:00:00:00:00').toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
          expect(nic.macKind === 'none').toBe(nic.mac === null);
        }
        for (const n of [d.cpus, d.memoryMiB]) {
          expect(Number.isSafeInteger(n)).toBe(true);
          expect(n).toBeGreaterThan(0);
        }
        expect(d.uuid ?? '00000000-0000-0000-0000-000000000000').toMatch(
          /^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/,
        );
      }),
      { numRuns: 3000 },
    );
  });

  it('carries or names every present device, with facts the contract accepts', () => {
    fc.assert(
      fc.property(vmDevices, vmPairs, (devices, pairs) => {
        const entries = new Map([...devices.flat(), ...pairs]);
        const d = describeVmx(entries, 'vm');
        expect(vmProblem(withFacts(d.facts))).toBeUndefined();
        const { sharedDisks = [], independentDisks = [] } = d.facts;
        for (const slot of [...sharedDisks, ...independentDisks])
          expect(yes(entries.get(`${slot}.present`)), slot).toBe(true);
        const { passthrough = [], rawDiskMappings = [] } = d.facts;
        const named = [
          ...d.disks.map((disk) => disk.slot),
          ...d.cdroms.map((c) => c.slice(0, c.indexOf(': '))),
          ...passthrough.flatMap((p) => (p.endsWith(' scsi-passthru') ? [p.split(' ')[0]] : [])),
          ...rawDiskMappings,
          ...d.unsupported.map((u) => u.slice(0, u.indexOf(': '))),
        ];
        for (const [k, v] of entries) {
          const m = SLOT.exec(k);
          const controller = `${m?.[1]}${m?.[2]}.present`;
          if (!m || !yes(v) || (entries.has(controller) && !yes(entries.get(controller)))) continue;
          expect(named, k).toContain(k.slice(0, -'.present'.length));
        }
        const memsize = Number(entries.get('memsize'));
        expect(d.facts.memoryAssumed ?? false).toBe(
          !(Number.isSafeInteger(memsize) && memsize > 0),
        );
      }),
      { numRuns: 3000 },
    );
  });

  it('reads back a generated VM: exactly its present disks in slot order, and its NICs', () => {
    const disk = fc.record({
      controller: fc.constantFrom(...DISK_CONTROLLERS),
      bus: fc.nat(3),
      unit: fc.nat(63),
      name: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
      present: fc.boolean(),
      shout: fc.boolean(),
    });
    const nic = fc.record({
      index: fc.nat(9),
      mac: fc.option(fc.stringMatching(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/)),
      addressType: fc.constantFrom('static', 'generated'),
      connection: fc.constantFrom('nat', 'bridged', 'hostonly'),
    });
    const vm = fc.record({
      disks: fc.uniqueArray(disk, {
        selector: (d) => `${d.controller}${d.bus}:${d.unit}`,
        maxLength: 10,
      }),
      nics: fc.uniqueArray(nic, { selector: (n) => n.index, maxLength: 4 }),
      cpus: fc.integer({ min: 1, max: 4096 }),
      memoryMiB: fc.integer({ min: 1, max: 64 * 1024 * 1024 }),
    });
    const lines = (v: typeof vm extends fc.Arbitrary<infer V> ? V : never) => [
      `numvcpus = "${v.cpus}"`,
      `memsize = "${v.memoryMiB}"`,
      ...v.disks.flatMap((d) => {
        // VMware reads keys whatever their case.
        const slot = `${d.controller}${d.bus}:${d.unit}`[d.shout ? 'toUpperCase' : 'toLowerCase']();
        return [
          `${slot}.present = "${d.present ? 'TRUE' : 'FALSE'}"`,
          `${slot}.fileName = "${escape(d.name)}.vmdk"`,
        ];
      }),
      ...v.nics.flatMap((n) => {
        const p = `ethernet${n.index}`;
        const address = n.addressType === 'static' ? 'address' : 'generatedAddress';
        return [
          `${p}.present = "TRUE"`,
          `${p}.connectionType = "${n.connection}"`,
          `${p}.addressType = "${n.addressType}"`,
          ...(n.mac ? [`${p}.${address} = "${n.mac.toUpperCase()}"`] : []),
        ];
      }),
    ];
    // In any order: nothing in a .vmx depends on where a line is.
    const written = vm.chain((v) =>
      fc
        .shuffledSubarray(lines(v), { minLength: lines(v).length })
        .map((order) => ({ vm: v, text: order.join('\n') })),
    );
    fc.assert(
      fc.property(written, ({ vm: v, text }) => {
        const d = describeVmx(parseVmx(encode(text)).entries, 'vm');
        const order = DISK_CONTROLLERS as readonly string[];
        const present = v.disks
          .filter((disk) => disk.present)
          .sort(
            (a, b) =>
              order.indexOf(a.controller) - order.indexOf(b.controller) ||
              a.bus - b.bus ||
              a.unit - b.unit,
          );
        expect(d.disks).toEqual(
          present.map((disk) => ({
            controller: disk.controller,
            slot: `${disk.controller}${disk.bus}:${disk.unit}`,
            fileName: `${disk.name}.vmdk`,
          })),
        );
        expect(d.nics).toEqual(
          [...v.nics]
            .sort((a, b) => a.index - b.index)
            .map((n) => ({
              index: n.index,
              mac: n.mac,
              macKind: n.mac === null ? 'none' : n.addressType,
              network: n.connection,
            })),
        );
        expect([d.cpus, d.memoryMiB]).toEqual([v.cpus, v.memoryMiB]);
      }),
      { numRuns: 2000 },
    );
  });

  it("gives a BIOS UUID as vSphere does, from a .vmx's form or vSphere's, in any case", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.boolean(), (bytes, shout) => {
        const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0'));
        const vmxForm = `${hex.slice(0, 8).join(' ')}-${hex.slice(8).join(' ')}`;
        const expected = biosUuid(hex.join(''));
        expect(expected).toMatch(/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/);
        expect(expected?.replace(/-/g, '')).toBe(hex.join(''));
        expect(biosUuid(shout ? vmxForm.toUpperCase() : vmxForm)).toBe(expected);
        expect(biosUuid(expected)).toBe(expected);
        expect(biosUuid(vmxForm.slice(0, -1))).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });
});
