import type { MigrationOptions } from '@ferry/contracts';
import type { Cinder } from '../block-storage/cinder.ts';
import type { Neutron } from '../network/neutron.ts';
import type { Nova } from './nova.ts';

/** The operator's placement choices, found in the cloud: what the server and its volumes are created with. */
export interface ServerPlacement {
  readonly availabilityZone?: string;
  /** Security group ids for every port; empty: the project's default group. */
  readonly securityGroupIds: readonly string[];
  readonly keyName?: string;
  /** A volume type id; absent: the cloud's default type. */
  readonly volumeTypeId?: string;
}

export interface PlacementProblem {
  readonly code:
    'zone-missing' | 'security-group-missing' | 'key-pair-missing' | 'volume-type-missing';
  readonly message: string;
}

export type PlacementClients = {
  readonly nova: Pick<Nova, 'availabilityZones' | 'keyPair'>;
  readonly neutron: Pick<Neutron, 'securityGroups'>;
  readonly cinder: Pick<Cinder, 'volumeTypes'>;
};

type Choices = Pick<
  MigrationOptions,
  'availabilityZone' | 'securityGroups' | 'keyName' | 'volumeType'
>;

/**
 * Finds each placement choice in the cloud, read-only, or says which one it lacks: asked by
 * validation before any copy, and by the deployment for the ids it creates with. Only what was
 * chosen is asked for.
 */
export async function resolvePlacement(
  clients: PlacementClients,
  choices: Choices,
): Promise<ServerPlacement | { problem: PlacementProblem }> {
  const zone = choices.availabilityZone ?? undefined;
  if (zone) {
    const zones = await clients.nova.availabilityZones();
    const found = zones.find((z) => z.zoneName === zone);
    if (!found?.zoneState.available)
      return problem(
        'zone-missing',
        found
          ? `availability zone ${zone} has no host up`
          : `Nova has no availability zone ${zone} (it has ${zones.map((z) => z.zoneName).join(', ') || 'none'})`,
      );
  }
  const securityGroupIds: string[] = [];
  for (const group of choices.securityGroups ?? []) {
    const [byId] = await clients.neutron.securityGroups({ id: group });
    const byName = byId ? [] : await clients.neutron.securityGroups({ name: group });
    const found = byId ?? (byName.length === 1 ? byName[0] : undefined);
    if (!found)
      return problem(
        'security-group-missing',
        byName.length > 1
          ? `${byName.length} security groups are named ${group}: give its id`
          : `Neutron has no security group ${group}`,
      );
    securityGroupIds.push(found.id);
  }
  const keyName = choices.keyName ?? undefined;
  if (keyName && !(await clients.nova.keyPair(keyName)))
    return problem('key-pair-missing', `Nova has no key pair ${keyName} for this user`);
  const volumeType = choices.volumeType ?? undefined;
  let volumeTypeId: string | undefined;
  if (volumeType) {
    const types = await clients.cinder.volumeTypes();
    volumeTypeId = (
      types.find((t) => t.id === volumeType) ?? types.find((t) => t.name === volumeType)
    )?.id;
    if (!volumeTypeId)
      return problem(
        'volume-type-missing',
        `Cinder has no volume type ${volumeType} (it has ${types.map((t) => t.name).join(', ') || 'none'})`,
      );
  }
  return {
    securityGroupIds,
    ...(zone ? { availabilityZone: zone } : {}),
    ...(keyName ? { keyName } : {}),
    ...(volumeTypeId ? { volumeTypeId } : {}),
  };
}

const problem = (code: PlacementProblem['code'], message: string) => ({
  problem: { code, message },
});
