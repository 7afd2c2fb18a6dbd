import type { Aggregate, Flavor, Nova } from '../compute/nova.ts';
import { OpenStackError } from '../http/openstack-error.ts';
import type { Placement } from './placement.ts';

/** Nova's zone for hosts in no zone's aggregate (`default_availability_zone`). */
const DEFAULT_ZONE = 'nova';

/**
 * Whether some host of `zone` has room for the flavor now, asked of Nova's aggregates and
 * Placement's candidates; `unknown` where the credentials may not read them (a member's, as a
 * rule) or the zone is made some other way. A server booted from volumes needs no local disk.
 */
export async function zoneHasRoom(
  clients: { readonly nova: Pick<Nova, 'aggregates'>; readonly placement: Placement },
  zone: string,
  flavor: Flavor,
  bootMode: 'image' | 'volume',
): Promise<'yes' | 'no' | 'unknown'> {
  let aggregates: Aggregate[];
  try {
    aggregates = await clients.nova.aggregates();
  } catch (error) {
    // A member's credentials: Nova keeps aggregates from them.
    if (error instanceof OpenStackError) return 'unknown';
    throw error;
  }
  const zoned = aggregates.filter((a) => a.availability_zone);
  const own = zoned.filter((a) => a.availability_zone === zone).map((a) => a.uuid);
  const memberOf =
    own.length > 0
      ? `in:${own.join(',')}`
      : zone === DEFAULT_ZONE && zoned.length > 0
        ? `!in:${zoned.map((a) => a.uuid).join(',')}`
        : undefined;
  if (!memberOf) return 'unknown';
  try {
    const room = await clients.placement.hasRoom(
      {
        VCPU: flavor.vcpus,
        MEMORY_MB: flavor.ram,
        DISK_GB: bootMode === 'image' ? flavor.disk : 0,
      },
      memberOf,
    );
    return room ? 'yes' : 'no';
  } catch (error) {
    // Not in the catalog, not for these credentials, or not answering: nothing known, and the
    // check never holds a job up (Nova says the rest when it schedules).
    if (error instanceof OpenStackError) return 'unknown';
    throw error;
  }
}
