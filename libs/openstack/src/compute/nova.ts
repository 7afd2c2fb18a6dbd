import { absentOn404 } from '../http/absent.ts';
import { OpenStackError } from '../http/openstack-error.ts';
import type { OpenStackSession } from '../identity/session.ts';

/** The compute API version Ferry speaks: tags at creation (2.52), `networks: none` (2.37), volume types in mappings (2.67). */
export const NOVA_MICROVERSION = '2.67';
const VERSION = { 'openstack-api-version': `compute ${NOVA_MICROVERSION}` };

export interface Flavor {
  readonly id: string;
  readonly name: string;
  readonly vcpus: number;
  readonly ram: number;
  readonly disk: number;
}

export interface Server {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly tags?: readonly string[];
  readonly metadata: Readonly<Record<string, string>>;
  readonly fault?: { readonly message: string; readonly code: number; readonly details?: string };
  readonly addresses?: Readonly<
    Record<string, readonly { addr: string; 'OS-EXT-IPS-MAC:mac_addr'?: string }[]>
  >;
}

export interface BlockDevice {
  readonly uuid: string;
  readonly source_type: 'volume' | 'image';
  readonly destination_type: 'volume' | 'local';
  readonly boot_index: number;
  readonly delete_on_termination: boolean;
}

export interface NewServer {
  readonly name: string;
  readonly flavorRef: string;
  /** For a server booted from an image; absent when booting from volumes. */
  readonly imageRef?: string;
  readonly networks: readonly { port: string }[] | 'none';
  readonly blockDevices?: readonly BlockDevice[];
  readonly metadata: Readonly<Record<string, string>>;
  readonly tags: readonly string[];
  /** Nova's availability zone; absent: the cloud's default. */
  readonly availabilityZone?: string;
  /** A key pair's name; absent: none. */
  readonly keyName?: string;
}

/** A host aggregate (an administrator's view): the zone it makes, if any. */
export interface Aggregate {
  readonly uuid: string;
  readonly name: string;
  readonly availability_zone: string | null;
}

export interface AvailabilityZone {
  readonly zoneName: string;
  readonly zoneState: { readonly available: boolean };
}

/** Nova v2.1 with an explicit microversion: the server and flavor calls Ferry makes. */
export class Nova {
  private readonly session: OpenStackSession;
  constructor(session: OpenStackSession) {
    this.session = session;
  }

  async flavors(): Promise<Flavor[]> {
    return (
      await this.session.call('compute', 'GET', '/flavors/detail', { headers: VERSION })
    ).json<{
      flavors: Flavor[];
    }>().flavors;
  }

  /** The zones servers can be booted in (a member sees their names and whether they are up). */
  async availabilityZones(): Promise<AvailabilityZone[]> {
    return (
      await this.session.call('compute', 'GET', '/os-availability-zone', { headers: VERSION })
    ).json<{ availabilityZoneInfo: AvailabilityZone[] }>().availabilityZoneInfo;
  }

  /** Host aggregates: Nova lets administrators read them, others get 403. */
  async aggregates(): Promise<Aggregate[]> {
    return (
      await this.session.call('compute', 'GET', '/os-aggregates', { headers: VERSION })
    ).json<{ aggregates: Aggregate[] }>().aggregates;
  }

  /** The user's key pair of that name, or undefined. */
  async keyPair(name: string): Promise<{ readonly name: string } | undefined> {
    return absentOn404(
      async () =>
        (
          await this.session.call('compute', 'GET', `/os-keypairs/${encodeURIComponent(name)}`, {
            headers: VERSION,
          })
        ).json<{ keypair: { name: string } }>().keypair,
    );
  }

  /** The project's compute limits and what it uses (Nova's absolute limits). */
  async limits(): Promise<Readonly<Record<string, number>>> {
    return (await this.session.call('compute', 'GET', '/limits', { headers: VERSION })).json<{
      limits: { absolute: Record<string, number> };
    }>().limits.absolute;
  }

  async createServer(server: NewServer): Promise<Server> {
    const response = await this.session.call('compute', 'POST', '/servers', {
      headers: VERSION,
      json: {
        server: {
          name: server.name,
          flavorRef: server.flavorRef,
          ...(server.imageRef ? { imageRef: server.imageRef } : {}),
          networks: server.networks,
          ...(server.blockDevices ? { block_device_mapping_v2: server.blockDevices } : {}),
          metadata: server.metadata,
          tags: server.tags,
          ...(server.availabilityZone ? { availability_zone: server.availabilityZone } : {}),
          ...(server.keyName ? { key_name: server.keyName } : {}),
        },
      },
    });
    return response.json<{ server: Server }>().server;
  }

  /**
   * The last `lines` lines of the server's console log (its serial port), or undefined where the
   * hypervisor keeps none (Nova answers 404 for a gone server, 409 or 501 for a driver without one).
   */
  async consoleOutput(id: string, lines: number): Promise<string | undefined> {
    try {
      return (
        await this.session.call('compute', 'POST', `/servers/${encodeURIComponent(id)}/action`, {
          headers: VERSION,
          json: { 'os-getConsoleOutput': { length: lines } },
        })
      ).json<{ output: string }>().output;
    } catch (error) {
      if (error instanceof OpenStackError && [404, 409, 501].includes(error.status))
        return undefined;
      throw error;
    }
  }

  async server(id: string): Promise<Server | undefined> {
    return absentOn404(
      async () =>
        (
          await this.session.call('compute', 'GET', `/servers/${encodeURIComponent(id)}`, {
            headers: VERSION,
          })
        ).json<{
          server: Server;
        }>().server,
    );
  }

  /** Servers carrying every tag given (and not deleted). */
  async serversTagged(tag: string): Promise<Server[]> {
    return (
      await this.session.call(
        'compute',
        'GET',
        `/servers/detail?${new URLSearchParams({ tags: tag }).toString()}`,
        {
          headers: VERSION,
        },
      )
    ).json<{ servers: Server[] }>().servers;
  }

  async deleteServer(id: string): Promise<boolean> {
    return (
      (await absentOn404(async () => {
        await this.session.call('compute', 'DELETE', `/servers/${encodeURIComponent(id)}`, {
          headers: VERSION,
        });
        return true;
      })) ?? false
    );
  }
}
