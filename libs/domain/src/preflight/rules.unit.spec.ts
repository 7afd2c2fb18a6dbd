import type { VmDescription, VmFacts } from '@ferry/contracts';
import { describe, expect, it } from 'vitest';
import { preflightChecks } from './preflight.ts';
import { PREFLIGHT_RULES } from './rules.ts';

const vm = (over: Partial<VmDescription> = {}, facts?: VmFacts): VmDescription => ({
  key: 'ws-1',
  name: 'web01',
  source: { kind: 'workstation', id: '/vms' },
  cpus: 2,
  memoryMiB: 2048,
  firmware: 'bios',
  secureBoot: false,
  guestOs: 'debian12-64',
  powerState: 'poweredOff',
  hasSnapshots: false,
  disks: [
    { index: 0, controller: 'scsi', slot: 'scsi0:0', path: '/vms/a.vmdk', capacityBytes: 1 << 30 },
  ],
  nics: [],
  ...(facts ? { facts } : {}),
  ...over,
});
const options = { strategy: 'auto' as const, keepIps: false };
const applied = (v: VmDescription) =>
  preflightChecks({ vm: v, options })
    .filter((c) => c.detail !== 'does not apply')
    .map((c) => [c.name, c.severity, c.outcome, c.facts]);

describe('pre-flight rules: VM facts → results, with ids and severities', () => {
  it('given a plain VM, then every rule is recorded and none applies', () => {
    const checks = preflightChecks({ vm: vm(), options });
    expect(checks.map((c) => c.name)).toEqual(PREFLIGHT_RULES.map((r) => r.id));
    expect(checks.every((c) => c.outcome === 'passed' && c.detail === 'does not apply')).toBe(true);
  });

  it.each([
    [
      { passthrough: ['pciPassthru0', 'scsi0:2 scsi-passthru'] },
      [
        'passthrough-device',
        'critical',
        'failed',
        'passthrough: pciPassthru0, scsi0:2 scsi-passthru',
      ],
    ],
    [
      { rawDiskMappings: ['scsi0:1'] },
      ['raw-device-mapping', 'critical', 'failed', 'raw device mappings: scsi0:1'],
    ],
    [
      { missingDatastores: ['ds9'] },
      ['missing-datastore', 'critical', 'failed', 'datastores: ds9'],
    ],
    [{ sriov: ['ethernet1'] }, ['sriov-nic', 'warning', 'warning', 'SR-IOV NICs: ethernet1']],
    [{ sharedDisks: ['scsi1:0'] }, ['shared-disk', 'warning', 'warning', 'shared disks: scsi1:0']],
    [
      { independentDisks: ['scsi0:1'] },
      ['independent-disk', 'warning', 'warning', 'independent disks: scsi0:1'],
    ],
    [{ vtpm: true }, ['vtpm', 'warning', 'warning', 'a virtual TPM']],
    [{ memoryAssumed: true }, ['memory-assumed', 'warning', 'warning', '2048 MiB assumed']],
    [
      { hostname: 'localhost.localdomain' },
      ['hostname-default', 'warning', 'warning', 'host name "localhost.localdomain"'],
    ],
    [{ hostname: '' }, ['hostname-default', 'warning', 'warning', 'host name ""']],
    [{ cpuHotAdd: true }, ['cpu-hot-add', 'info', 'passed', 'CPU hot-add on']],
    [{ memoryHotAdd: true }, ['memory-hot-add', 'info', 'passed', 'memory hot-add on']],
    [{ usbControllers: 2 }, ['usb-controller', 'info', 'passed', '2 USB controller(s)']],
  ] as const)('given facts %j, then %j', (facts, expected) => {
    expect(applied(vm({}, facts))).toEqual([expected]);
  });

  it('given a host name of its own, or none reported, then the host name rule does not apply', () => {
    expect(applied(vm({}, { hostname: 'web01' }))).toEqual([]);
    expect(applied(vm({}, {}))).toEqual([]);
  });

  it('given what the description itself says, then those rules apply', () => {
    expect(
      applied(
        vm({
          hasSnapshots: true,
          firmware: 'efi',
          secureBoot: true,
          guestOs: 'otherGuest64',
          disks: [
            {
              index: 0,
              controller: 'scsi',
              slot: 'scsi0:0',
              path: '/a.vmdk',
              capacityBytes: 1 << 30,
              chainLength: 3,
            },
            { index: 1, controller: 'sata', slot: 'sata0:1', path: '/b.vmdk', capacityBytes: 0 },
          ],
        }),
      ),
    ).toEqual([
      ['disk-size-zero', 'critical', 'failed', 'empty disks: sata0:1'],
      ['snapshots-present', 'warning', 'warning', 'snapshot chains: scsi0:0 (3)'],
      ['secure-boot', 'warning', 'warning', 'UEFI with secure boot'],
      ['guest-os-unknown', 'warning', 'warning', 'guest OS "otherGuest64"'],
    ]);
  });

  it('given a Windows guest copied as is, then it warns that it boots from SATA; converted, or not Windows, nothing', () => {
    const windows = vm({ guestOs: 'windows2019srv-64' });
    const copied = preflightChecks({
      vm: windows,
      options: { strategy: 'qemu-img', keepIps: false },
    });
    expect(copied.find((c) => c.name === 'guest-drivers')).toMatchObject({
      outcome: 'warning',
      severity: 'warning',
      facts: 'windows2019srv-64, strategy qemu-img',
    });
    expect(copied.find((c) => c.name === 'guest-drivers')?.detail).toMatch(/boots from SATA/);
    expect(applied(windows)).toEqual([]);
    expect(
      preflightChecks({ vm: vm(), options: { strategy: 'qemu-img', keepIps: false } }).find(
        (c) => c.name === 'guest-drivers',
      )?.outcome,
    ).toBe('passed');
  });

  it('every rule has a stable kebab-case id, unique, and advice that says what to do', () => {
    const ids = PREFLIGHT_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of PREFLIGHT_RULES) {
      expect(r.id).toMatch(/^[a-z][a-z0-9-]{0,63}$/);
      expect(r.advice.length).toBeGreaterThan(20);
    }
  });
});
