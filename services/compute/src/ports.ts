import type { Resource, VmDescription } from '@ferry/contracts';
import {
  fixedIpsOf,
  jobPortName,
  onlyOne,
  placeAddresses,
  type Neutron,
  type Port,
} from '@ferry/openstack';

/**
 * One port per NIC on its mapped network (with the source MAC, and the guest's addresses that a
 * subnet of that network holds, when asked), found again by its name (the job's and the NIC's),
 * recorded as soon as it exists. An address no subnet holds is left to DHCP, as validation said.
 */
export async function portsFor(
  neutron: Neutron,
  jobId: string,
  vm: VmDescription,
  {
    networkIds,
    keepMac,
    keepIps,
    securityGroupIds,
  }: {
    readonly networkIds: readonly string[];
    readonly keepMac: boolean;
    readonly keepIps: boolean;
    /** Empty: the project's default group. */
    readonly securityGroupIds: readonly string[];
  },
  record: (resource: Resource) => Promise<unknown>,
): Promise<Port[]> {
  const ports: Port[] = [];
  for (const [i, nic] of vm.nics.entries()) {
    const name = jobPortName(jobId, nic.index);
    const networkId = networkIds[i] as string;
    const [found] = await neutron.ports({ name });
    const fixedIps =
      !found && keepIps && nic.addresses?.length
        ? fixedIpsOf(placeAddresses(nic, await neutron.subnets({ network_id: networkId })))
        : [];
    const port =
      found ??
      (await onlyOne(
        await neutron.createPort({
          name,
          networkId,
          ...(keepMac && nic.mac ? { macAddress: nic.mac } : {}),
          ...(fixedIps.length ? { fixedIps } : {}),
          securityGroups: securityGroupIds,
          description: `Ferry job ${jobId}, VM ${vm.key}`,
        }),
        () => neutron.ports({ name }),
        (id) => neutron.deletePort(id),
      ));
    await record({ kind: 'port', id: port.id, name });
    ports.push(port);
  }
  return ports;
}
