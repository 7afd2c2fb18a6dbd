import type { MigrationOptions, VmDescription } from '@ferry/contracts';
import type { Flavor } from '../compute/nova.ts';
import { flavorFor } from '../deploy-target.ts';

const GiB = 1024 ** 3;

/** What a selection would take from the project: one figure per quota Ferry's jobs draw on. */
export interface SelectionNeeds {
  readonly instances: number;
  readonly cores: number;
  readonly ramMiB: number;
  readonly ports: number;
  readonly volumes: number;
  readonly gigabytes: number;
  /** Of those, what the chosen volume type's own quotas count (Cinder's `volumes_<type>`). */
  readonly typedVolumes: number;
  readonly typedGigabytes: number;
}
export type Resource = keyof SelectionNeeds;

/** A quota's limit and what is in use (a negative limit: unlimited). */
export interface QuotaUse {
  readonly limit: number;
  readonly used: number;
}
export type Usage = Readonly<Partial<Record<Resource, QuotaUse>>>;

const NONE: SelectionNeeds = {
  instances: 0,
  cores: 0,
  ramMiB: 0,
  ports: 0,
  volumes: 0,
  gigabytes: 0,
  typedVolumes: 0,
  typedGigabytes: 0,
};

/**
 * What the VMs would need on the target, each with the flavor it would get and its boot mode. A VM
 * no flavor fits needs none here: validation fails it on its own.
 */
export function selectionNeeds(
  vms: readonly VmDescription[],
  options: Pick<MigrationOptions, 'bootMode' | 'flavor' | 'volumeType'>,
  flavors: readonly Flavor[],
): SelectionNeeds {
  const needs = vms.reduce<SelectionNeeds>((sum, vm) => {
    const chosen = flavorFor(flavors, vm, options);
    if ('problem' in chosen) return sum;
    const { bootMode } = chosen;
    const volumeGb =
      bootMode === 'volume'
        ? vm.disks.reduce((gb, d) => gb + Math.ceil(d.capacityBytes / GiB), 0)
        : 0;
    return {
      instances: sum.instances + 1,
      cores: sum.cores + chosen.flavor.vcpus,
      ramMiB: sum.ramMiB + chosen.flavor.ram,
      ports: sum.ports + vm.nics.length,
      volumes: sum.volumes + (bootMode === 'volume' ? vm.disks.length : 0),
      gigabytes: sum.gigabytes + volumeGb,
      typedVolumes: 0,
      typedGigabytes: 0,
    };
  }, NONE);
  return options.volumeType
    ? { ...needs, typedVolumes: needs.volumes, typedGigabytes: needs.gigabytes }
    : needs;
}

const UNITS: Readonly<Record<Resource, string>> = {
  instances: 'instances',
  cores: 'cores',
  ramMiB: 'MiB of RAM',
  ports: 'ports',
  volumes: 'volumes',
  gigabytes: 'GB of volumes',
  typedVolumes: 'volumes of the chosen type',
  typedGigabytes: 'GB of volumes of the chosen type',
};

/** Each quota the needs exceed, in words: `instances: 3 needed, 2 free (limit 2, 0 in use)`. */
export function shortfalls(needs: SelectionNeeds, usage: Usage): string[] {
  return (Object.keys(UNITS) as Resource[]).flatMap((resource) => {
    const quota = usage[resource];
    const need = needs[resource];
    if (!quota || quota.limit < 0 || need === 0) return [];
    const free = Math.max(quota.limit - quota.used, 0);
    return need > free
      ? [
          `${UNITS[resource]}: ${need} needed, ${free} free (limit ${quota.limit}, ${quota.used} in use)`,
        ]
      : [];
  });
}
