import { absentOn404 } from '../http/absent.ts';
import type { OpenStackSession } from '../identity/session.ts';

export interface Network {
  readonly id: string;
  readonly name: string;
  readonly status: string;
}

export interface Port {
  readonly id: string;
  readonly name: string;
  readonly network_id: string;
  readonly mac_address: string;
  readonly status: string;
  readonly description: string;
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

  async ports(filter: {
    name?: string;
    network_id?: string;
    mac_address?: string;
  }): Promise<Port[]> {
    const query = new URLSearchParams(filter as Record<string, string>).toString();
    return (await this.session.call('network', 'GET', `/v2.0/ports?${query}`)).json<{
      ports: Port[];
    }>().ports;
  }

  async createPort(port: {
    name: string;
    networkId: string;
    macAddress?: string;
    description?: string;
  }): Promise<Port> {
    return (
      await this.session.call('network', 'POST', '/v2.0/ports', {
        json: {
          port: {
            name: port.name,
            network_id: port.networkId,
            ...(port.macAddress ? { mac_address: port.macAddress } : {}),
            ...(port.description ? { description: port.description } : {}),
          },
        },
      })
    ).json<{ port: Port }>().port;
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
