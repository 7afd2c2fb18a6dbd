import type { Resource, VmDescription } from '@ferry/contracts';
import { jobPortName, onlyOne, type Neutron, type Port } from '@ferry/openstack';

/**
 * One port per NIC on its mapped network (with the source MAC when asked), found again by its name
 * (the job's and the NIC's), recorded as soon as it exists.
 */
export async function portsFor(
  neutron: Neutron,
  jobId: string,
  vm: VmDescription,
  { networkIds, keepMac }: { readonly networkIds: readonly string[]; readonly keepMac: boolean },
  record: (resource: Resource) => Promise<unknown>,
): Promise<Port[]> {
  const ports: Port[] = [];
  for (const [i, nic] of vm.nics.entries()) {
    const name = jobPortName(jobId, nic.index);
    const [found] = await neutron.ports({ name });
    const port =
      found ??
      (await onlyOne(
        await neutron.createPort({
          name,
          networkId: networkIds[i] as string,
          ...(keepMac && nic.mac ? { macAddress: nic.mac } : {}),
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
