import fc from 'fast-check';
import type { VmDescription } from '@ferry/contracts';
import { describe, expect, it } from 'vitest';
import type { Flavor } from '../compute/nova.ts';
import { selectionNeeds, shortfalls, type SelectionNeeds } from './capacity.ts';

const GiB = 1024 ** 3;
const flavors: Flavor[] = [
  { id: '1', name: 'm1.small', vcpus: 1, ram: 2048, disk: 20 },
  { id: '2', name: 'm1.medium', vcpus: 2, ram: 4096, disk: 40 },
];
const vm = (cpus: number, disks: number[], nics = 1): VmDescription => ({
  key: `ws-${cpus}-${disks.length}`,
  name: 'v',
  source: { kind: 'workstation', id: '/vms' },
  cpus,
  memoryMiB: 1024,
  firmware: 'bios',
  secureBoot: false,
  guestOs: 'debian12-64',
  powerState: 'poweredOff',
  hasSnapshots: false,
  disks: disks.map((gb, index) => ({
    index,
    controller: 'scsi',
    slot: `scsi0:${index}`,
    path: `/d${index}`,
    capacityBytes: gb * GiB,
  })),
  nics: Array.from({ length: nics }, (_, index) => ({
    index,
    mac: null,
    macKind: 'none',
    network: 'nat',
  })),
});

describe('what a selection needs of the target, and what it lacks', () => {
  it('given three VMs, then each counts its flavor, ports and (booting from volumes) its disks', () => {
    expect(
      selectionNeeds(
        [vm(1, [10]), vm(2, [10, 30], 2), vm(64, [10])],
        { bootMode: 'auto', flavor: null },
        flavors,
      ),
    ).toEqual({
      instances: 2,
      cores: 3,
      ramMiB: 6144,
      ports: 3,
      volumes: 2,
      gigabytes: 40,
      typedVolumes: 0,
      typedGigabytes: 0,
    });
  });

  it("given a volume type, then its volumes count against that type's own quotas too", () => {
    const needs = selectionNeeds(
      [vm(1, [10, 30], 1), vm(1, [10], 1)],
      { bootMode: 'volume', flavor: null, volumeType: 'fast' },
      flavors,
    );
    expect(needs).toMatchObject({ volumes: 3, gigabytes: 50, typedVolumes: 3, typedGigabytes: 50 });
    expect(
      shortfalls(needs, {
        gigabytes: { limit: 1000, used: 0 },
        typedGigabytes: { limit: 40, used: 0 },
      }),
    ).toEqual(['GB of volumes of the chosen type: 50 needed, 40 free (limit 40, 0 in use)']);
  });

  it('given an instance quota of 2 and three VMs, then the shortfall is named', () => {
    const needs = selectionNeeds(
      [vm(1, [10]), vm(1, [10]), vm(1, [10])],
      { bootMode: 'image', flavor: null },
      flavors,
    );
    expect(
      shortfalls(needs, { instances: { limit: 2, used: 0 }, cores: { limit: 20, used: 0 } }),
    ).toEqual(['instances: 3 needed, 2 free (limit 2, 0 in use)']);
  });

  it('given unlimited or unknown quotas, then nothing is short', () => {
    const needs: SelectionNeeds = {
      instances: 9,
      cores: 9,
      ramMiB: 9,
      ports: 9,
      volumes: 9,
      gigabytes: 9,
      typedVolumes: 9,
      typedGigabytes: 9,
    };
    expect(shortfalls(needs, { instances: { limit: -1, used: 5 } })).toEqual([]);
  });

  it('a selection is short exactly where a need passes what is free', () => {
    const use = fc.record({ limit: fc.integer({ min: -1, max: 1000 }), used: fc.nat(1200) });
    fc.assert(
      fc.property(fc.nat(2000), use, (need, quota) => {
        const needs: SelectionNeeds = {
          instances: need,
          cores: 0,
          ramMiB: 0,
          ports: 0,
          volumes: 0,
          gigabytes: 0,
          typedVolumes: 0,
          typedGigabytes: 0,
        };
        const short = shortfalls(needs, { instances: quota }).length === 1;
        expect(short).toBe(
          quota.limit >= 0 && need > 0 && need > Math.max(quota.limit - quota.used, 0),
        );
      }),
    );
  });
});
