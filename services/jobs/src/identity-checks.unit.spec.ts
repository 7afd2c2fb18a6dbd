import type { VmDescription, VmNic } from '@ferry/contracts';
import type { NicOnTarget, Port, Subnet } from '@ferry/openstack';
import { testVm } from '@ferry/stages/testing';
import { describe, expect, it } from 'vitest';
import { identityChecks } from './identity-checks.ts';

const subnet: Subnet = {
  id: 'sub-1',
  name: 'private-subnet',
  network_id: 'net-1',
  cidr: '10.0.0.0/24',
  ip_version: 4,
  gateway_ip: '10.0.0.1',
};
const nic = (addresses?: VmNic['addresses']): VmNic => ({
  index: 0,
  mac: '00:50:56:12:34:56',
  macKind: 'static',
  network: 'nat',
  ...(addresses ? { addresses, addressSource: 'guest-config' as const } : {}),
});
const vm = (n: VmNic): VmDescription => ({ ...testVm, nics: [n] });
const port = (id: string, name: string): Port => ({
  id,
  name,
  network_id: 'net-1',
  mac_address: 'fa:16:3e:00:00:01',
  status: 'ACTIVE',
  description: '',
  device_owner: 'compute:nova',
  device_id: 'srv-9',
});
const onTarget = (n: VmNic, over: Partial<NicOnTarget> = {}): NicOnTarget => ({
  nic: n,
  networkId: 'net-1',
  placements: (n.addresses ?? []).map((address) => ({
    address,
    subnet: address.ip.startsWith('10.0.0.') ? subnet : null,
  })),
  addressHolders: [],
  macHolder: undefined,
  ...over,
});
const guestConfig = { how: 'guest-config' as const };
const both = { keepMac: true, keepIps: true };

describe('validation says, per NIC, what happens to its identity', () => {
  it('given a free address in the mapped subnet and a free MAC, then both are kept', () => {
    const n = nic([{ ip: '10.0.0.200', prefix: 24 }]);
    expect(identityChecks(vm(n), both, [onTarget(n)], guestConfig)).toEqual([
      { name: 'keep-mac', outcome: 'passed', detail: 'NIC 0 (00:50:56:12:34:56): MAC kept' },
      {
        name: 'keep-addresses',
        outcome: 'passed',
        detail:
          "NIC 0 (00:50:56:12:34:56): 10.0.0.200/24 kept in subnet private-subnet (10.0.0.0/24); addresses read from the guest's own configuration",
      },
    ]);
  });

  it('given an address no subnet holds, then it warns that the port gets one by DHCP', () => {
    const n = nic([{ ip: '192.168.7.10', prefix: 24 }]);
    const [check] = identityChecks(
      vm(n),
      { keepMac: false, keepIps: true },
      [onTarget(n)],
      guestConfig,
    );
    expect(check?.outcome).toBe('warning');
    expect(check?.detail).toContain(
      '192.168.7.10/24 fits no subnet of network net-1: the port gets an address by DHCP',
    );
  });

  it('given an address another port holds, then it fails naming that port', () => {
    const n = nic([{ ip: '10.0.0.200', prefix: 24 }]);
    const held = onTarget(n, { addressHolders: [{ ip: '10.0.0.200', port: port('p-1', 'web') }] });
    const [check] = identityChecks(vm(n), { keepMac: false, keepIps: true }, [held], guestConfig);
    expect(check).toMatchObject({ name: 'keep-addresses', outcome: 'failed' });
    expect(check?.detail).toContain(
      '10.0.0.200/24 is already held by port web (p-1, compute:nova of srv-9)',
    );
  });

  it("given the subnet's gateway address, then it fails", () => {
    const n = nic([{ ip: '10.0.0.1', prefix: 24 }]);
    const [check] = identityChecks(
      vm(n),
      { keepMac: false, keepIps: true },
      [onTarget(n)],
      guestConfig,
    );
    expect(check?.outcome).toBe('failed');
    expect(check?.detail).toContain('is the gateway of subnet private-subnet');
  });

  it('given a MAC another port has, then keep-mac fails naming it', () => {
    const n = nic();
    const [check] = identityChecks(
      vm(n),
      { keepMac: true, keepIps: false },
      [onTarget(n, { macHolder: port('p-2', '') })],
      guestConfig,
    );
    expect(check).toEqual({
      name: 'keep-mac',
      outcome: 'failed',
      detail: 'NIC 0 (00:50:56:12:34:56): the MAC is already on port (p-2, compute:nova of srv-9)',
    });
  });

  it('given no address could be read, then it warns why and that DHCP follows', () => {
    const n = nic();
    expect(
      identityChecks(vm(n), { keepMac: false, keepIps: true }, [onTarget(n)], {
        how: 'none',
        problem: 'VMware Tools report no address for the guest',
      }),
    ).toEqual([
      {
        name: 'keep-addresses',
        outcome: 'warning',
        detail:
          'no static address found for any NIC (VMware Tools report no address for the guest): every port gets its address by DHCP',
      },
    ]);
  });

  it('given a dry run, then identity is not checked against a target', () => {
    const n = nic([{ ip: '10.0.0.200', prefix: 24 }]);
    expect(identityChecks(vm(n), both, undefined, guestConfig).map((c) => c.outcome)).toEqual([
      'skipped',
      'skipped',
    ]);
  });

  it('given neither option, then there is nothing to check', () => {
    expect(identityChecks(vm(nic()), { keepMac: false, keepIps: false }, [], guestConfig)).toEqual(
      [],
    );
  });
});
