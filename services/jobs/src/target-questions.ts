import { tmpdir } from 'node:os';
import { guestInterfaces, nicAddresses, readGuestNetworkFiles } from '@ferry/converters';
import {
  identityOnTarget,
  jobPortName,
  resolveDeployTarget,
  type Neutron,
  type Nova,
} from '@ferry/openstack';
import type { ValidateDeps } from './validate-job.ts';

/**
 * What validation asks outside Ferry, read-only: OpenStack where the VM would land and whether its
 * NICs' identity is free there, and the guest's own disks for its static addresses.
 */
export function targetQuestions(
  openstack: { readonly nova: Nova; readonly neutron: Neutron },
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
