import type { Flavor } from './nova.ts';
import { describe, expect, it } from 'vitest';
import { chooseFlavor } from './flavor.ts';

const flavors: Flavor[] = [
  { id: '3', name: 'm1.medium', vcpus: 2, ram: 4096, disk: 40 },
  { id: '1', name: 'm1.tiny', vcpus: 1, ram: 512, disk: 1 },
  { id: '2', name: 'm1.small', vcpus: 1, ram: 2048, disk: 20 },
  { id: '4', name: 'm1.large', vcpus: 4, ram: 8192, disk: 80 },
];

describe('choosing the flavor of a server', () => {
  it('given no flavor asked, picks the smallest with enough vCPUs, RAM and disk', () => {
    expect(chooseFlavor(flavors, { vcpus: 1, ramMiB: 1024, diskGb: 10 }, null)).toEqual({
      flavor: flavors[2],
    });
    expect(chooseFlavor(flavors, { vcpus: 2, ramMiB: 1024, diskGb: 10 }, null)).toEqual({
      flavor: flavors[0],
    });
  });

  it('given a server booting from volumes, the root disk does not count', () => {
    expect(chooseFlavor(flavors, { vcpus: 1, ramMiB: 512, diskGb: 0 }, null)).toEqual({
      flavor: flavors[1],
    });
  });

  it('given a flavor asked by name or id, takes it; one that does not exist is named', () => {
    expect(chooseFlavor(flavors, { vcpus: 8, ramMiB: 1, diskGb: 1 }, 'm1.tiny')).toEqual({
      flavor: flavors[1],
    });
    expect(chooseFlavor(flavors, { vcpus: 8, ramMiB: 1, diskGb: 1 }, '4')).toEqual({
      flavor: flavors[3],
    });
    expect(chooseFlavor(flavors, { vcpus: 1, ramMiB: 1, diskGb: 1 }, 'm9.huge')).toEqual({
      problem: 'flavor m9.huge does not exist (there are: m1.medium, m1.tiny, m1.small, m1.large)',
    });
  });

  it('given a VM bigger than every flavor, says what it needs', () => {
    expect(chooseFlavor(flavors, { vcpus: 16, ramMiB: 65536, diskGb: 0 }, null)).toEqual({
      problem:
        'no flavor has 16 vCPUs, 65536 MiB of RAM and 0 GB of disk; name one for the job or create one',
    });
  });
});
