import type { VmDescription } from '@ferry/contracts';
import { loopbackOpenStack } from '@ferry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCloudConfig } from '../config/cloud-config.ts';
import { OpenStackHttp } from '../http/openstack-http.ts';
import { OpenStackSession } from '../identity/session.ts';
import { identityOnTarget } from './identity-on-target.ts';
import { fixedIpsOf } from './keep-addresses.ts';
import { Neutron, type Port } from './neutron.ts';

const vm = (nic: VmDescription['nics'][number]): VmDescription => ({
  key: 'workstation:identity',
  name: 'identity',
  source: { kind: 'workstation', id: '/vms' },
  cpus: 1,
  memoryMiB: 512,
  firmware: 'bios',
  secureBoot: false,
  guestOs: 'debian12-64',
  powerState: 'poweredOff',
  hasSnapshots: false,
  disks: [],
  nics: [nic],
});

describe("a NIC's identity on the loopback cloud's Neutron", () => {
  let http: OpenStackHttp;
  let neutron: Neutron;
  let networkId: string;
  const made: Port[] = [];
  const own = () => 'ferry-job-identity-nic0';

  beforeAll(async () => {
    const cloud = loopbackOpenStack();
    http = new OpenStackHttp({ timeoutMs: 60_000, retries: 2 });
    neutron = new Neutron(new OpenStackSession(loadCloudConfig({ env: cloud.env }), http));
    networkId = ((await neutron.networks({ name: 'private' }))[0] as { id: string }).id;
  }, 20 * 60_000);
  afterAll(async () => {
    for (const p of made) await neutron.deletePort(p.id);
    await http.close();
  });

  it('finds the subnet for an address, the ports that hold the address and the MAC, and leaves an address no subnet holds to DHCP', async () => {
    const [subnet] = await neutron.subnets({ network_id: networkId });
    const holder = await neutron.createPort({
      name: 'identity-holder',
      networkId,
      macAddress: '00:50:56:aa:00:31',
      fixedIps: [{ subnet_id: subnet?.id as string, ip_address: '10.0.0.231' }],
    });
    made.push(holder);
    expect(holder.fixed_ips).toEqual([{ subnet_id: subnet?.id, ip_address: '10.0.0.231' }]);

    const nic = {
      index: 0,
      mac: '00:50:56:aa:00:31',
      macKind: 'static' as const,
      network: 'nat',
      addresses: [
        { ip: '10.0.0.231', prefix: 24 },
        { ip: '192.168.9.9', prefix: 24 },
      ],
    };
    const [answer] = await identityOnTarget(neutron, vm(nic), [networkId], {
      keepMac: true,
      keepIps: true,
      ownPort: own,
    });
    expect(answer?.placements.map((p) => [p.address.ip, p.subnet?.cidr ?? null])).toEqual([
      ['10.0.0.231', '10.0.0.0/24'],
      ['192.168.9.9', null],
    ]);
    expect(answer?.addressHolders.map((h) => [h.ip, h.port.id])).toEqual([
      ['10.0.0.231', holder.id],
    ]);
    expect(answer?.macHolder?.id).toBe(holder.id);

    // The address no subnet holds: the port is made without fixed IPs, and Neutron gives one.
    const dhcp = await neutron.createPort({
      name: 'identity-dhcp',
      networkId,
      fixedIps: fixedIpsOf(answer?.placements.filter((p) => p.subnet === null) ?? []),
    });
    made.push(dhcp);
    expect(dhcp.fixed_ips).toHaveLength(1);
    expect(dhcp.fixed_ips?.[0]?.ip_address).toMatch(/^10\.0\.0\.\d+$/);
  });

  it("the job's own port (a retry finds it) is no conflict", async () => {
    const ownPort = await neutron.createPort({
      name: own(),
      networkId,
      macAddress: '00:50:56:aa:00:32',
    });
    made.push(ownPort);
    const ip = ownPort.fixed_ips?.[0]?.ip_address as string;
    const [answer] = await identityOnTarget(
      neutron,
      vm({
        index: 0,
        mac: '00:50:56:aa:00:32',
        macKind: 'static',
        network: 'nat',
        addresses: [{ ip, prefix: 24 }],
      }),
      [networkId],
      { keepMac: true, keepIps: true, ownPort: own },
    );
    expect(answer?.addressHolders).toEqual([]);
    expect(answer?.macHolder).toBeUndefined();
  });
});
