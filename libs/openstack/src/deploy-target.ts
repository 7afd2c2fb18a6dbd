import type { MigrationOptions, VmDescription } from '@ferry/contracts';
import { chooseFlavor } from './compute/flavor.ts';
import type { Flavor, Nova } from './compute/nova.ts';
import {
  resolvePlacement,
  type ServerPlacement,
  type PlacementClients,
  type PlacementProblem,
} from './compute/placement-choices.ts';
import { unknownPlaceholders } from './compute/server-identity.ts';
import type { Placement } from './placement/placement.ts';
import { zoneHasRoom } from './placement/zone-room.ts';
import { targetNetworks } from './network/network-mapping.ts';
import type { Neutron } from './network/neutron.ts';

const GiB = 1024 ** 3;

/** Where a VM lands: how it boots, on which flavor, with which Neutron network per NIC. */
export interface DeployTarget {
  readonly bootMode: 'image' | 'volume';
  readonly flavor: Flavor;
  /** Neutron network ids, one per NIC in NIC order. */
  readonly networkIds: readonly string[];
  /** The operator's zone, security groups, key pair and volume type, found in the cloud. */
  readonly placement: ServerPlacement;
}

/** Why a VM has no target, in the words a job's failure or validation check uses. */
export interface TargetProblem {
  readonly code:
    | 'flavor-missing'
    | 'network-unmapped'
    | 'network-missing'
    | 'server-name-invalid'
    | 'flavor-not-in-zone'
    | PlacementProblem['code'];
  readonly message: string;
}

/** `auto` boots a one-disk VM from its image and a VM with more disks from volumes (an image carries one disk). */
export const bootModeFor = (
  vm: VmDescription,
  asked: MigrationOptions['bootMode'],
): 'image' | 'volume' => (asked === 'auto' ? (vm.disks.length > 1 ? 'volume' : 'image') : asked);

/**
 * The flavor a VM's server gets from `flavors`: the one asked for, or the smallest that fits its
 * CPUs, memory and (booting from the image) its boot disk.
 */
export function flavorFor(
  flavors: readonly Flavor[],
  vm: VmDescription,
  options: Pick<MigrationOptions, 'bootMode' | 'flavor'>,
): { bootMode: 'image' | 'volume'; flavor: Flavor } | { problem: string } {
  const bootMode = bootModeFor(vm, options.bootMode);
  const bootGb = Math.ceil((vm.disks[0]?.capacityBytes ?? GiB) / GiB);
  const chosen = chooseFlavor(
    flavors,
    { vcpus: vm.cpus, ramMiB: vm.memoryMiB, diskGb: bootMode === 'image' ? bootGb : 0 },
    options.flavor,
  );
  return 'problem' in chosen ? chosen : { bootMode, flavor: chosen.flavor };
}

/**
 * Resolves the flavor and networks a job's server gets, asking Nova and Neutron: what the
 * deployment creates the server with, and what validation checks before any disk is converted.
 */
export async function resolveDeployTarget(
  clients: PlacementClients & {
    readonly nova: Pick<Nova, 'flavors' | 'aggregates'>;
    readonly neutron: Pick<Neutron, 'networks'>;
    /** Where the credentials may read it: whether the chosen zone has room for the flavor. */
    readonly placement?: Placement | undefined;
  },
  vm: VmDescription,
  options: MigrationOptions,
  configuredMapping: Readonly<Record<string, string>>,
): Promise<DeployTarget | { problem: TargetProblem }> {
  const unknown = unknownPlaceholders(options.serverName ?? '');
  if (unknown.length > 0)
    return {
      problem: {
        code: 'server-name-invalid',
        message: `the server name template ${options.serverName} has unknown placeholder(s) ${unknown.map((p) => `{${p}}`).join(', ')}: use {vm}, {job}, {source}`,
      },
    };
  const chosen = flavorFor(await clients.nova.flavors(), vm, options);
  if ('problem' in chosen) return { problem: { code: 'flavor-missing', message: chosen.problem } };
  const { bootMode } = chosen;
  const targets = targetNetworks(vm.nics, options.networkMapping, configuredMapping);
  if ('problem' in targets)
    return { problem: { code: 'network-unmapped', message: targets.problem } };
  const networkIds: string[] = [];
  for (const target of targets.targets) {
    const [network] = [
      ...(await clients.neutron.networks({ id: target })),
      ...(await clients.neutron.networks({ name: target })),
    ];
    if (!network)
      return { problem: { code: 'network-missing', message: `Neutron has no network ${target}` } };
    networkIds.push(network.id);
  }
  const placement = await resolvePlacement(clients, options);
  if ('problem' in placement) return placement;
  const zone = placement.availabilityZone;
  if (
    zone &&
    clients.placement &&
    (await zoneHasRoom(
      { nova: clients.nova, placement: clients.placement },
      zone,
      chosen.flavor,
      bootMode,
    )) === 'no'
  )
    return {
      problem: {
        code: 'flavor-not-in-zone',
        message: `no host in availability zone ${zone} has room now for flavor ${chosen.flavor.name} (${chosen.flavor.vcpus} vCPU, ${chosen.flavor.ram} MiB RAM${bootMode === 'image' ? `, ${chosen.flavor.disk} GB disk` : ''})`,
      },
    };
  return { bootMode, flavor: chosen.flavor, networkIds, placement };
}
