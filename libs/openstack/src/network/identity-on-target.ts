import type { VmDescription, VmNic } from '@ferry/contracts';
import { placeAddresses, type AddressPlacement } from './keep-addresses.ts';
import type { Neutron, Port } from './neutron.ts';

/** What the target network says of one NIC's identity: where its addresses would go and who holds them. */
export interface NicOnTarget {
  readonly nic: VmNic;
  readonly networkId: string;
  readonly placements: readonly AddressPlacement[];
  /** Ports (not the job's own) that already hold one of the NIC's addresses. */
  readonly addressHolders: readonly { readonly ip: string; readonly port: Port }[];
  /** A port (not the job's own) that already has the NIC's MAC on that network. */
  readonly macHolder: Port | undefined;
}

/**
 * Asks Neutron, read-only, per NIC: the subnets of its mapped network that would hold its
 * addresses, and the ports that already hold those addresses or its MAC. `ownPort(i)` names the
 * job's own port for NIC i, which a retry may find and which is no conflict.
 */
export async function identityOnTarget(
  neutron: Pick<Neutron, 'subnets' | 'ports'>,
  vm: VmDescription,
  networkIds: readonly string[],
  {
    keepMac,
    keepIps,
    ownPort,
  }: { keepMac: boolean; keepIps: boolean; ownPort: (nicIndex: number) => string },
): Promise<NicOnTarget[]> {
  const answers: NicOnTarget[] = [];
  for (const [i, nic] of vm.nics.entries()) {
    const networkId = networkIds[i] as string;
    const others = (ports: Port[]) => ports.filter((p) => p.name !== ownPort(nic.index));
    const placements =
      keepIps && nic.addresses?.length
        ? placeAddresses(nic, await neutron.subnets({ network_id: networkId }))
        : [];
    const addressHolders: { ip: string; port: Port }[] = [];
    for (const { address, subnet } of placements) {
      if (!subnet) continue;
      for (const port of others(
        await neutron.ports({ network_id: networkId, ip_address: address.ip }),
      ))
        addressHolders.push({ ip: address.ip, port });
    }
    const [macHolder] =
      keepMac && nic.mac
        ? others(await neutron.ports({ network_id: networkId, mac_address: nic.mac }))
        : [];
    answers.push({ nic, networkId, placements, addressHolders, macHolder });
  }
  return answers;
}
