import type { VmNic } from '@ferry/contracts';
import { describe, expect, it } from 'vitest';
import { parseNetworkMapping, targetNetworks } from './network-mapping.ts';

const nic = (index: number, network: string): VmNic => ({
  index,
  mac: null,
  macKind: 'none',
  network,
});

describe('mapping source networks to Neutron', () => {
  it('reads source=target pairs; a network name may hold spaces and =', () => {
    expect(parseNetworkMapping(' VM Network = private , a=b=c ,')).toEqual({
      'VM Network': 'private',
      'a=b': 'c',
    });
    expect(() => parseNetworkMapping('private')).toThrow(/"private" is not source=target/);
  });

  it("the job's mapping wins over the configured one; * catches the rest", () => {
    expect(
      targetNetworks(
        [nic(0, 'VM Network'), nic(1, 'DMZ'), nic(2, 'Backup')],
        { DMZ: 'dmz' },
        { 'VM Network': 'private', '*': 'misc' },
      ),
    ).toEqual({ targets: ['private', 'dmz', 'misc'] });
  });

  it('a NIC on a network mapped nowhere is named', () => {
    expect(
      targetNetworks([nic(0, 'VM Network'), nic(1, 'DMZ')], {}, { 'VM Network': 'private' }),
    ).toEqual({
      problem:
        'NIC 1 is on source network "DMZ", which maps to no OpenStack network (set the job\'s networkMapping or OPENSTACK_NETWORK_MAPPING)',
    });
  });
});
