import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_VM_DISKS, MAX_VM_PROBLEMS } from '@ferry/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { vmProblem } from '../testing/contract.ts';
import { expectRefusal } from '../testing/refusals.ts';
import { tempRoots } from '../testing/temp-roots.ts';
import { readWorkstationVm } from './discover-workstation.ts';

const tmp = tempRoots('ferry-vmx-fuzz-');

const value = fc.oneof(
  fc.constantFrom('TRUE', 'static', '00:50:56:01:02:03', 'efi', 'windows-1252', 'utf-16le'),
  fc.constantFrom('disk.vmdk', 'vm.vmx', '../outside.vmdk', '/etc/hostname', 'x.iso'),
  fc.constantFrom('0', '-1', '4097', '99999999999', '1e300', '9'.repeat(30)),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.constantFrom('n', 'disk/', '\u00e9').map((s) => s.repeat(5000)),
);
const fact = fc.oneof(
  fc.constantFrom('scsi-passthru', 'rawDisk', 'plainDisk', 'independent-persistent', 'TRUE'),
  fc.constantFrom('independent-nonpersistent', 'multi-writer', 'physical', 'virtual', 'FALSE'),
  fc.constantFrom('virtualDev', 'pfId', 'id', 'deviceId', 'sriov', '0000:03:00.0'),
  value,
);
// Whole devices, so that their keys meet, and loose keys.
const lines = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('scsi', 'sata', 'ide', 'nvme'),
      fc.nat(3),
      fc.nat(20),
      value,
      fc.option(value),
    )
    .map(([c, bus, unit, file, type]) => [
      `${c}${bus}:${unit}.present = "TRUE"`,
      `${c}${bus}:${unit}.fileName = "${file}"`,
      ...(type === null ? [] : [`${c}${bus}:${unit}.deviceType = "${type}"`]),
    ]),
  // Devices with what the facts are read from.
  fc
    .tuple(
      fc.constantFrom('scsi', 'sata', 'nvme'),
      fc.nat(1),
      fc.nat(3),
      fc.constantFrom('disk.vmdk', 'x-rdm.vmdk', 'x.pln', '/dev/sg1', ''),
      fc.constantFrom('deviceType', 'mode', 'sharing'),
      fact,
    )
    .map(([c, bus, unit, file, field, v]) => [
      `${c}${bus}:${unit}.present = "TRUE"`,
      `${c}${bus}:${unit}.fileName = "${file}"`,
      `${c}${bus}:${unit}.${field} = "${v}"`,
    ]),
  fc
    .tuple(fc.constantFrom('ethernet', 'pciPassthru'), fc.nat(12), fc.boolean(), fact, fact)
    .map(([device, n, present, field, v]) => [
      `${device}${n}.present = "${present ? 'TRUE' : 'FALSE'}"`,
      `${device}${n}.${field} = "${v}"`,
    ]),
  fc
    .tuple(
      fc
        .constantFrom('usb', 'ehci', 'usb_xhci', 'vtpm', 'scsi0', 'scsi1')
        .map((d) => `${d}.present`),
      value,
    )
    .map(([k, v]) => [`${k} = "${v}"`]),
  fc
    .tuple(fc.constantFrom('vcpu.hotadd', 'mem.hotadd', 'disk.locking', 'scsi0.sharedBus'), fact)
    .map(([k, v]) => [`${k} = "${v}"`]),
  fc
    .tuple(fc.nat(12), value, value, value)
    .map(([n, network, kind, mac]) => [
      `ethernet${n}.present = "TRUE"`,
      `ethernet${n}.networkName = "${network}"`,
      `ethernet${n}.addressType = "${kind}"`,
      `ethernet${n}.address = "${mac}"`,
    ]),
  fc
    .tuple(
      fc.constantFrom('displayName', 'guestOS', 'numvcpus', 'memsize', 'uuid.bios', 'firmware'),
      value,
    )
    .map(([k, v]) => [`${k} = "${v}"`]),
  fc
    .constantFrom('.encoding', 'checkpoint.vmState', 'uefi.secureBoot.enabled')
    .chain((k) => value.map((v) => [`${k} = "${v}"`])),
);
const vmx = fc.array(lines, { maxLength: 16 }).map((devices) => devices.flat().join('\n'));

describe('readWorkstationVm: a .vmx is outside data', () => {
  it('makes of any .vmx a VM that fits the contract, or refuses it saying why', async () => {
    const path = join(tmp.path, 'vm.vmx');
    await fc.assert(
      fc.asyncProperty(vmx, async (text) => {
        writeFileSync(path, text);
        const vm = await readWorkstationVm(tmp.roots, path).catch((e) => expectRefusal(e, Error));
        if (!vm) return;
        expect(vmProblem(vm)).toBeUndefined();
        expect(vm.facts).toBeDefined();
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps every disk up to the limit, and says how many disks and problems were left out', async () => {
    const path = join(tmp.path, 'many.vmx');
    // Disks whose files are missing, after a few random devices: each disk is kept and is a problem.
    const many = fc
      .tuple(
        fc.oneof(
          fc.nat(MAX_VM_DISKS),
          fc.integer({ min: MAX_VM_DISKS + 1, max: MAX_VM_DISKS + 80 }),
        ),
        fc.array(lines, { maxLength: 4 }),
      )
      .map(([n, devices]) => ({
        n,
        text: [
          ...devices.flat(),
          ...Array.from({ length: n }, (_, i) => {
            const slot = `scsi${100 + Math.floor(i / 64)}:${i % 64}`;
            return [`${slot}.present = "TRUE"`, `${slot}.fileName = "gone${i}.vmdk"`];
          }).flat(),
        ].join('\n'),
      }));
    let overLimit = 0;
    await fc.assert(
      fc.asyncProperty(many, async ({ n, text }) => {
        writeFileSync(path, text);
        const vm = await readWorkstationVm(tmp.roots, path).catch((e) => expectRefusal(e, Error));
        if (!vm) return;
        expect(vmProblem(vm)).toBeUndefined();
        expect(vm.facts).toBeDefined();
        const ours = vm.disks.filter((d) => /^scsi1\d\d:/.test(d.slot));
        if (n <= MAX_VM_DISKS - (vm.disks.length - ours.length)) expect(ours).toHaveLength(n);
        if (n <= MAX_VM_DISKS) return;
        overLimit++;
        expect(vm.disks).toHaveLength(MAX_VM_DISKS);
        expect(vm.disks.map((d) => d.index)).toEqual([...Array(MAX_VM_DISKS).keys()]);
        expect(vm.problems?.[0]).toMatch(/^\d+ more disks left out: a VM description holds 256$/);
        expect(vm.problems).toHaveLength(MAX_VM_PROBLEMS);
        expect(vm.problems?.at(-1)).toMatch(/^\d+ more problems left out$/);
      }),
      { numRuns: 40 },
    );
    expect(overLimit).toBeGreaterThan(0);
  });
});
