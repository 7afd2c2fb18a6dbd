import type { VmDescription } from '@ferry/contracts';
import { testVm } from '@ferry/stages/testing';
import { describe, expect, it } from 'vitest';
import { validationChecks, type CheckInputs } from './validation-checks.ts';

const GiB = 1024 ** 3;
const vm: VmDescription = {
  ...testVm,
  disks: [
    {
      index: 0,
      controller: 'scsi',
      slot: 'scsi0:0',
      path: '/vms/a/a.vmdk',
      capacityBytes: 8 * GiB,
      subformat: 'monolithicSparse',
    },
  ],
};
const target = {
  bootMode: 'image' as const,
  flavor: { id: '1', name: 'm1.small', vcpus: 1, ram: 2048, disk: 20 },
  networkIds: ['net-1'],
  placement: { securityGroupIds: [] },
};
const inputs: CheckInputs = {
  freeBytes: 100 * GiB,
  outputDir: '/out',
  target,
  dryRun: false,
  notAsked: '',
};
const outcomes = (v: VmDescription, i: CheckInputs = inputs) =>
  Object.fromEntries(validationChecks(v, i).map((c) => [c.name, c.outcome]));

describe('validation checks: given the VM as read again, then each check', () => {
  it('a powered-off VM with its disks complete and a target in OpenStack passes every check', () => {
    expect(outcomes(vm)).toEqual({
      'disks-present': 'passed',
      'disk-formats': 'passed',
      'power-state': 'passed',
      'free-space': 'passed',
      target: 'passed',
    });
  });

  it('fails a running VM, and only warns about a suspended one', () => {
    expect(outcomes({ ...vm, powerState: 'poweredOn' })['power-state']).toBe('failed');
    expect(outcomes({ ...vm, powerState: 'suspended' })['power-state']).toBe('warning');
  });

  it('fails a VM with a missing or truncated disk, naming the problem, and one with no disk at all', () => {
    const checks = validationChecks({ ...vm, problems: ['scsi0:0: a.vmdk is truncated'] }, inputs);
    expect(checks.find((c) => c.name === 'disks-present')).toMatchObject({
      outcome: 'failed',
      detail: 'scsi0:0: a.vmdk is truncated',
    });
    expect(outcomes({ ...vm, disks: [] })['disks-present']).toBe('failed');
  });

  it("fails ESXi's sparse snapshot formats, which cannot be converted", () => {
    const disk = {
      ...(vm.disks[0] as VmDescription['disks'][number]),
      subformat: 'seSparse' as const,
    };
    expect(outcomes({ ...vm, disks: [disk] })['disk-formats']).toBe('failed');
  });

  it('warns when the disks may not fit where the artifacts go (sparse images need only their data)', () => {
    expect(outcomes(vm, { ...inputs, freeBytes: 4 * GiB })['free-space']).toBe('warning');
  });

  it('fails a target OpenStack cannot give, and skips it when deployment is a dry run', () => {
    const problem = { problem: { code: 'flavor-missing', message: 'no flavor fits' } };
    expect(
      validationChecks(vm, { ...inputs, target: problem }).find((c) => c.name === 'target'),
    ).toMatchObject({
      outcome: 'failed',
      detail: 'flavor-missing: no flavor fits',
    });
    expect(outcomes(vm, { ...inputs, target: undefined }).target).toBe('skipped');
  });

  it('names the placement found; a dry run previews the target and only warns of what would fail', () => {
    const placed = {
      ...target,
      placement: {
        availabilityZone: 'az1',
        securityGroupIds: ['sg-1'],
        keyName: 'ops',
        volumeTypeId: 'vt-1',
      },
    };
    const detail = (i: CheckInputs) =>
      validationChecks(vm, i).find((c) => c.name === 'target')?.detail;
    expect(detail({ ...inputs, target: placed })).toBe(
      'boot from image, flavor m1.small, network(s) net-1, zone az1, security group(s) sg-1, key pair ops, volume type vt-1',
    );
    expect(detail({ ...inputs, dryRun: true })).toMatch(
      /^dry run .*a real run would boot from image, flavor m1.small/,
    );
    const problem = { problem: { code: 'network-missing', message: 'Neutron has no network lan' } };
    expect(
      validationChecks(vm, { ...inputs, dryRun: true, target: problem }).find(
        (c) => c.name === 'target',
      ),
    ).toMatchObject({
      outcome: 'warning',
      detail: 'a real run would fail here: network-missing: Neutron has no network lan',
    });
    expect(
      validationChecks(vm, {
        ...inputs,
        dryRun: true,
        target: undefined,
        notAsked: 'no cloud',
      }).find((c) => c.name === 'target')?.detail,
    ).toBe('deployment is a dry run and the cloud was not asked: no cloud');
  });
});
