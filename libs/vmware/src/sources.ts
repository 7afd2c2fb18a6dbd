import { join } from 'node:path';
import type { SourceRef, VmDescription } from '@ferry/contracts';
import {
  discoverVsphere,
  rereadVsphereVm,
  type VsphereSourceOptions,
} from './vsphere/discover-vsphere.ts';
import {
  discoverWorkstation,
  readWorkstationVm,
  type Unreadable,
} from './workstation/discover-workstation.ts';
import { Roots } from './workstation/roots.ts';

export interface Scan {
  readonly vms: readonly VmDescription[];
  readonly unreadable: readonly Unreadable[];
}

/** A place VMs are discovered in: a Workstation folder, an ESXi host, a vCenter. Read-only. */
export interface InventorySource {
  readonly ref: SourceRef;
  scan(): Promise<Scan>;
}

export function workstationSource(root: string): InventorySource {
  return {
    ref: { kind: 'workstation', id: root },
    scan: async () => discoverWorkstation(await Roots.of([root])),
  };
}

export function vsphereSource(
  kind: 'esxi' | 'vcenter',
  options: VsphereSourceOptions,
): InventorySource {
  return {
    ref: { kind, id: new URL(sdkUrl(options.url)).host },
    scan: async () => ({
      vms: (await discoverVsphere({ ...options, url: sdkUrl(options.url) })).vms,
      unreadable: [],
    }),
  };
}

/** `esxi.example` or `https://esxi.example` → `https://esxi.example/sdk`. */
export const sdkUrl = (host: string) => {
  const url = new URL(/^[a-z]+:\/\//i.test(host) ? host : `https://${host}`);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/sdk';
  return url.toString();
};

/** The settings a source list is made from (libs/config's names). */
export interface SourceSettings {
  readonly VMWARE_WORKSTATION_PATHS: readonly string[];
  readonly VMWARE_ESXI_HOST: string | undefined;
  readonly VMWARE_ESXI_USERNAME: string | undefined;
  readonly VMWARE_ESXI_PASSWORD: string | undefined;
  readonly VMWARE_ESXI_INSECURE: boolean;
  readonly VMWARE_ESXI_THUMBPRINT: string | undefined;
  readonly VMWARE_VCENTER_HOST: string | undefined;
  readonly VMWARE_VCENTER_USERNAME: string | undefined;
  readonly VMWARE_VCENTER_PASSWORD: string | undefined;
  readonly VMWARE_VCENTER_INSECURE: boolean;
  readonly VMWARE_VCENTER_THUMBPRINT: string | undefined;
}

/** A configured ESXi host or vCenter: how to reach it and log in. */
export interface VsphereConnection {
  readonly kind: 'esxi' | 'vcenter';
  readonly options: VsphereSourceOptions;
}

/** The configured ESXi host and vCenter; one without its user or password is a configuration error. */
export function vsphereConnections(s: SourceSettings): VsphereConnection[] {
  const connections: VsphereConnection[] = [];
  for (const kind of ['esxi', 'vcenter'] as const) {
    const [host, username, password, insecure, thumbprint] =
      kind === 'esxi'
        ? [
            s.VMWARE_ESXI_HOST,
            s.VMWARE_ESXI_USERNAME,
            s.VMWARE_ESXI_PASSWORD,
            s.VMWARE_ESXI_INSECURE,
            s.VMWARE_ESXI_THUMBPRINT,
          ]
        : [
            s.VMWARE_VCENTER_HOST,
            s.VMWARE_VCENTER_USERNAME,
            s.VMWARE_VCENTER_PASSWORD,
            s.VMWARE_VCENTER_INSECURE,
            s.VMWARE_VCENTER_THUMBPRINT,
          ];
    if (host === undefined) continue;
    const prefix = kind === 'esxi' ? 'VMWARE_ESXI' : 'VMWARE_VCENTER';
    if (!username || !password)
      throw new Error(
        `${prefix}_HOST is set: ${prefix}_USERNAME and ${prefix}_PASSWORD are needed too`,
      );
    connections.push({
      kind,
      options: {
        url: sdkUrl(host),
        username,
        password,
        insecure,
        ...(thumbprint ? { thumbprint } : {}),
      },
    });
  }
  return connections;
}

/** The connection that discovered a VM's source (matched by host), if it is configured here. */
export const connectionFor = (connections: readonly VsphereConnection[], source: SourceRef) =>
  connections.find((c) => c.kind === source.kind && new URL(c.options.url).host === source.id);

/** Every configured source; a vSphere source without its user or password is a configuration error. */
export function configuredSources(s: SourceSettings): InventorySource[] {
  return [
    ...s.VMWARE_WORKSTATION_PATHS.map(workstationSource),
    ...vsphereConnections(s).map((c) => vsphereSource(c.kind, c.options)),
  ];
}

/**
 * A VM read again from its source, as a job's validation needs it: the one .vmx of a Workstation VM
 * (its source must still be a configured root), or the VM from its ESXi host or vCenter. Undefined
 * when the VM is no longer there; an error when the source is not configured here or does not answer.
 */
export async function rereadVm(
  s: SourceSettings,
  vm: VmDescription,
): Promise<VmDescription | undefined> {
  if (vm.source.kind === 'workstation') {
    const roots = await Roots.of(s.VMWARE_WORKSTATION_PATHS);
    if (!roots.paths.includes(vm.source.id))
      throw new Error(
        `the Workstation folder ${vm.source.id} is not configured here (VMWARE_WORKSTATION_PATHS)`,
      );
    const vmx = join(vm.source.id, vm.labels?.['path'] ?? '');
    try {
      const found = await readWorkstationVm(roots, await roots.confine(vmx));
      return found.key === vm.key ? found : undefined;
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return undefined;
      throw error;
    }
  }
  const connection = connectionFor(vsphereConnections(s), vm.source);
  if (!connection) throw new Error(`the ${vm.source.kind} ${vm.source.id} is not configured here`);
  return rereadVsphereVm(connection.options, vm);
}

export const SOURCE_SETTINGS = [
  'VMWARE_WORKSTATION_PATHS',
  'VMWARE_ESXI_HOST',
  'VMWARE_ESXI_USERNAME',
  'VMWARE_ESXI_PASSWORD',
  'VMWARE_ESXI_INSECURE',
  'VMWARE_ESXI_THUMBPRINT',
  'VMWARE_VCENTER_HOST',
  'VMWARE_VCENTER_USERNAME',
  'VMWARE_VCENTER_PASSWORD',
  'VMWARE_VCENTER_INSECURE',
  'VMWARE_VCENTER_THUMBPRINT',
] as const satisfies readonly (keyof SourceSettings)[];
