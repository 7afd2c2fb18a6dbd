import { randomBytes } from 'node:crypto';
import { loopbackOpenStack, type LoopbackOpenStack } from '@ferry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Flavor } from '../compute/nova.ts';
import { Nova } from '../compute/nova.ts';
import { Cinder } from '../block-storage/cinder.ts';
import { resolveDeployTarget } from '../deploy-target.ts';
import { Neutron } from '../network/neutron.ts';
import { loadCloudConfig } from '../config/cloud-config.ts';
import { OpenStackHttp } from '../http/openstack-http.ts';
import { OpenStackSession } from '../identity/session.ts';
import { Placement } from './placement.ts';
import { zoneHasRoom } from './zone-room.ts';

describe("a zone's room for a flavor, asked of the loopback cloud's Nova and Placement", () => {
  let cloud: LoopbackOpenStack;
  let http: OpenStackHttp;
  let clients: (cloudName: string) => {
    nova: Nova;
    neutron: Neutron;
    cinder: Cinder;
    placement: Placement;
  };
  let tiny: Flavor;
  const huge = `ferry-zone-huge-${randomBytes(3).toString('hex')}`;
  let hugeFlavor: Flavor;

  beforeAll(async () => {
    cloud = loopbackOpenStack();
    http = new OpenStackHttp({ timeoutMs: 60_000, retries: 2 });
    clients = (cloudName) => {
      const session = new OpenStackSession(
        loadCloudConfig({ env: { ...cloud.env, OS_CLOUD: cloudName } }),
        http,
      );
      return {
        nova: new Nova(session),
        neutron: new Neutron(session),
        cinder: new Cinder(session),
        placement: new Placement(session),
      };
    };
    // More memory than any host of the loopback cloud has.
    cloud.cli('flavor', 'create', '--vcpus', '1', '--ram', '4000000', '--disk', '1', huge);
    const flavors = await clients('openstack').nova.flavors();
    tiny = flavors.find((f) => f.name === 'm1.tiny') as Flavor;
    hugeFlavor = flavors.find((f) => f.name === huge) as Flavor;
  }, 20 * 60_000);
  afterAll(async () => {
    cloud?.run('flavor', 'delete', huge);
    await http?.close();
  });

  it("says yes where a host of the zone has room, no where none has, for the zone's aggregate and the default zone", async () => {
    const admin = clients('openstack');
    expect(await zoneHasRoom(admin, 'nova', tiny, 'image')).toBe('yes');
    expect(await zoneHasRoom(admin, 'libvirt', tiny, 'image')).toBe('yes');
    expect(await zoneHasRoom(admin, 'nova', hugeFlavor, 'volume')).toBe('no');
    expect(await zoneHasRoom(admin, 'libvirt', hugeFlavor, 'image')).toBe('no');
  });

  it('cannot tell for a zone no aggregate makes, nor with a member’s credentials', async () => {
    expect(await zoneHasRoom(clients('openstack'), 'atlantis', tiny, 'image')).toBe('unknown');
    expect(await zoneHasRoom(clients('openstack-ferry'), 'nova', hugeFlavor, 'image')).toBe(
      'unknown',
    );
  });

  it('a target in a zone without room for the flavor is refused before any copy, naming both', async () => {
    const vm = {
      key: 'ws-zone',
      name: 'zone',
      source: { kind: 'workstation' as const, id: '/vms' },
      cpus: 1,
      memoryMiB: 512,
      firmware: 'bios' as const,
      secureBoot: false,
      guestOs: 'debian12-64',
      powerState: 'poweredOff' as const,
      hasSnapshots: false,
      disks: [],
      nics: [],
    };
    const options = {
      strategy: 'qemu-img' as const,
      bootMode: 'image' as const,
      flavor: huge,
      networkMapping: {},
      keepMac: false,
      availabilityZone: 'libvirt',
    };
    expect(await resolveDeployTarget(clients('openstack'), vm, options, {})).toEqual({
      problem: {
        code: 'flavor-not-in-zone',
        message: `no host in availability zone libvirt has room now for flavor ${huge} (1 vCPU, 4000000 MiB RAM, 1 GB disk)`,
      },
    });
    expect(
      await resolveDeployTarget(clients('openstack'), vm, { ...options, flavor: 'm1.tiny' }, {}),
    ).toMatchObject({ flavor: { name: 'm1.tiny' }, placement: { availabilityZone: 'libvirt' } });
  });
});
