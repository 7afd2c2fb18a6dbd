import type { Cinder } from '../block-storage/cinder.ts';
import type { Nova } from '../compute/nova.ts';
import type { Neutron } from '../network/neutron.ts';
import type { Usage } from './capacity.ts';

/**
 * The project's quotas and their use, read-only: Nova's absolute limits (instances, cores, RAM),
 * Neutron's ports and Cinder's volumes and gigabytes, of the volume type's too (reserved counting
 * as used).
 */
export async function targetUsage(
  clients: {
    readonly nova: Pick<Nova, 'limits'>;
    readonly neutron: Pick<Neutron, 'quotaDetails'>;
    readonly cinder: Pick<Cinder, 'quotaUsage'>;
  },
  projectId: string,
  /** The chosen volume type's name: its own quotas count too. */
  volumeType?: string,
): Promise<Usage> {
  const [limits, network, volume] = await Promise.all([
    clients.nova.limits(),
    clients.neutron.quotaDetails(projectId),
    clients.cinder.quotaUsage(projectId),
  ]);
  const nova = (limit: string, used: string) =>
    limits[limit] === undefined ? undefined : { limit: limits[limit], used: limits[used] ?? 0 };
  const port = network['port'];
  const cinder = (name: string) => {
    const q = volume[name];
    return q && { limit: q.limit, used: q.in_use + (q.reserved ?? 0) };
  };
  const entries = {
    instances: nova('maxTotalInstances', 'totalInstancesUsed'),
    cores: nova('maxTotalCores', 'totalCoresUsed'),
    ramMiB: nova('maxTotalRAMSize', 'totalRAMUsed'),
    ports: port && { limit: port.limit, used: port.used + (port.reserved ?? 0) },
    volumes: cinder('volumes'),
    gigabytes: cinder('gigabytes'),
    ...(volumeType && {
      typedVolumes: cinder(`volumes_${volumeType}`),
      typedGigabytes: cinder(`gigabytes_${volumeType}`),
    }),
  };
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined)) as Usage;
}
