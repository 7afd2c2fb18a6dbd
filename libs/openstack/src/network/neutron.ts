import { absentOn404 } from '../http/absent.ts';
import type { OpenStackSession } from '../identity/session.ts';

export interface Network {
  readonly id: string;
  readonly name: string;
  readonly status: string;
}

export interface FixedIp {
  readonly subnet_id: string;
  readonly ip_address: string;
}

export interface Port {
  readonly id: string;
  readonly name: string;
  readonly network_id: string;
  readonly mac_address: string;
  readonly status: string;
  readonly description: string;
  readonly fixed_ips?: readonly FixedIp[];
  readonly device_owner?: string;
  readonly device_id?: string;
}

export interface SecurityGroup {
  readonly id: string;
  readonly name: string;
  readonly project_id: string;
}

export interface Subnet {
  readonly id: string;
  readonly name: string;
  readonly network_id: string;
  readonly cidr: string;
  readonly ip_version: 4 | 6;
  readonly gateway_ip: string | null;
}

/** Neutron v2.0: the network and port calls Ferry makes. */
export class Neutron {
  private readonly session: OpenStackSession;
  constructor(session: OpenStackSession) {
    this.session = session;
  }

  /** Networks by name or id. */
  async networks(filter: { name?: string; id?: string }): Promise<Network[]> {
    const query = new URLSearchParams(filter as Record<string, string>).toString();
    return (await this.session.call('network', 'GET', `/v2.0/networks?${query}`)).json<{
      networks: Network[];
    }>().networks;
  }

  /** Security groups by name or id. */
  async securityGroups(filter: { name?: string; id?: string }): Promise<SecurityGroup[]> {
    const query = new URLSearchParams(filter as Record<string, string>).toString();
    return (await this.session.call('network', 'GET', `/v2.0/security-groups?${query}`)).json<{
      security_groups: SecurityGroup[];
    }>().security_groups;
  }

  async subnets(filter: { network_id?: string }): Promise<Subnet[]> {
    const query = new URLSearchParams(filter as Record<string, string>).toString();
    return (await this.session.call('network', 'GET', `/v2.0/subnets?${query}`)).json<{
      subnets: Subnet[];
    }>().subnets;
  }

  /** Ports by name, network, MAC, or an address they hold (`ip_address`). */
  async ports(filter: {
    name?: string;
    network_id?: string;
    mac_address?: string;
    ip_address?: string;
  }): Promise<Port[]> {
    const { ip_address, ...rest } = filter;
    const params = new URLSearchParams(rest as Record<string, string>);
    if (ip_address) params.append('fixed_ips', `ip_address=${ip_address}`);
    const query = params.toString();
    return (await this.session.call('network', 'GET', `/v2.0/ports?${query}`)).json<{
      ports: Port[];
    }>().ports;
  }

  async createPort(port: {
    name: string;
    networkId: string;
    macAddress?: string;
    /** The addresses it must hold; absent: one from each subnet's pool (DHCP in the guest). */
    fixedIps?: readonly FixedIp[];
    /** Security group ids; absent: the project's default group. */
    securityGroups?: readonly string[];
    description?: string;
  }): Promise<Port> {
    return (
      await this.session.call('network', 'POST', '/v2.0/ports', {
        json: {
          port: {
            name: port.name,
            network_id: port.networkId,
            ...(port.macAddress ? { mac_address: port.macAddress } : {}),
            ...(port.fixedIps?.length ? { fixed_ips: port.fixedIps } : {}),
            ...(port.securityGroups?.length ? { security_groups: port.securityGroups } : {}),
            ...(port.description ? { description: port.description } : {}),
          },
        },
      })
    ).json<{ port: Port }>().port;
  }

  /** The project's network quotas with their use: `{ port: { limit, used, reserved } }`. */
  async quotaDetails(
    projectId: string,
  ): Promise<Readonly<Record<string, { limit: number; used: number; reserved?: number }>>> {
    return (
      await this.session.call(
        'network',
        'GET',
        `/v2.0/quotas/${encodeURIComponent(projectId)}/details`,
      )
    ).json<{ quota: Record<string, { limit: number; used: number; reserved?: number }> }>().quota;
  }

  async deletePort(id: string): Promise<boolean> {
    return (
      (await absentOn404(async () => {
        await this.session.call('network', 'DELETE', `/v2.0/ports/${encodeURIComponent(id)}`);
        return true;
      })) ?? false
    );
  }
}
