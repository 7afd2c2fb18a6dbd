import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
const vmx = fc.array(lines, { maxLength: 12 }).map((devices) => devices.flat().join('\n'));

describe('readWorkstationVm: a .vmx is outside data', () => {
  it('makes of any .vmx a VM that fits the contract, or refuses it saying why', async () => {
    const path = join(tmp.path, 'vm.vmx');
    await fc.assert(
      fc.asyncProperty(vmx, async (text) => {
        writeFileSync(path, text);
        const vm = await readWorkstationVm(tmp.roots, path).catch((e) => expectRefusal(e, Error));
        if (vm) expect(vmProblem(vm)).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });
});
