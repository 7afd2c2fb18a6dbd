import { tmpdir } from 'node:os';
import { guestInterfaces, nicAddresses, readGuestNetworkFiles } from '@ferry/converters';
import {
  CloudConfigError,
  identityOnTarget,
  jobPortName,
  resolveDeployTarget,
  selectionNeeds,
  shortfalls,
  targetUsage,
  type Cinder,
  type Neutron,
  type Nova,
  type Placement,
  OpenStackError,
  type OpenStackSession,
} from '@ferry/openstack';
import type { CreateDeps } from './create-migrations.ts';
import type { ValidateDeps } from './validate-job.ts';

/**
 * What validation asks outside Ferry, read-only: OpenStack where the VM would land and whether its
 * NICs' identity is free there, and the guest's own disks for its static addresses.
 */
export function targetQuestions(
  openstack: {
    readonly nova: Nova;
    readonly neutron: Neutron;
    readonly cinder: Cinder;
    readonly placement?: Placement;
  },
  networkMapping: Readonly<Record<string, string>>,
): Pick<ValidateDeps, 'target' | 'identity' | 'guestAddresses'> {
  return {
    target: (vm, options) => resolveDeployTarget(openstack, vm, options, networkMapping),
    identity: (vm, target, options, jobId) =>
      identityOnTarget(openstack.neutron, vm, target.networkIds, {
        keepMac: options.keepMac,
        keepIps: options.keepIps ?? false,
        ownPort: (nic) => jobPortName(jobId, nic),
      }),
    guestAddresses: async (vm, signal) => {
      const files = await readGuestNetworkFiles(
        vm.disks.map((d) => d.path),
        // Its own folder in there, removed afterwards.
        { tmpDir: tmpdir(), signal, timeoutMs: 10 * 60_000 },
      );
      return nicAddresses(vm.nics, guestInterfaces(files));
    },
  };
}

/**
 * What the project's quotas lack for a whole selection (instances, cores, RAM, ports, volumes,
 * gigabytes), each VM on the flavor it would get. A cloud that cannot be asked refuses nothing
 * here: each job's validation asks it again.
 */
export function selectionShortfalls(
  openstack: { readonly nova: Nova; readonly neutron: Neutron; readonly cinder: Cinder },
  session: Pick<OpenStackSession, 'projectId'>,
): NonNullable<CreateDeps['shortfalls']> {
  return async (vms, options) => {
    try {
      const projectId = await session.projectId();
      if (!projectId) return [];
      // Cinder names a type's quotas by its name; the option may give its id.
      const chosen = options.volumeType ?? undefined;
      const volumeType = chosen
        ? ((await openstack.cinder.volumeTypes()).find((t) => t.id === chosen || t.name === chosen)
            ?.name ?? chosen)
        : undefined;
      const [flavors, usage] = await Promise.all([
        openstack.nova.flavors(),
        targetUsage(openstack, projectId, volumeType),
      ]);
      return shortfalls(selectionNeeds(vms, options, flavors), usage);
    } catch (error) {
      // Unreachable, refused (a policy may keep quota details from members), or not configured.
      if (error instanceof OpenStackError || error instanceof CloudConfigError) return [];
      throw error;
    }
  };
}
