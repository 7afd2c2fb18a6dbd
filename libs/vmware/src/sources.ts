import type { SourceRef, VmDescription } from '@ferry/contracts';
import { discoverVsphere, type VsphereSourceOptions } from './vsphere/discover-vsphere.ts';
import { discoverWorkstation, type Unreadable } from './workstation/discover-workstation.ts';
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

/** Every configured source; a vSphere source without its user or password is a configuration error. */
export function configuredSources(s: SourceSettings): InventorySource[] {
  const sources = s.VMWARE_WORKSTATION_PATHS.map(workstationSource);
  const vsphere = (
    kind: 'esxi' | 'vcenter',
    host: string | undefined,
    username: string | undefined,
    password: string | undefined,
    insecure: boolean,
    thumbprint: string | undefined,
  ) => {
    if (host === undefined) return;
    const prefix = kind === 'esxi' ? 'VMWARE_ESXI' : 'VMWARE_VCENTER';
    if (!username || !password)
      throw new Error(
        `${prefix}_HOST is set: ${prefix}_USERNAME and ${prefix}_PASSWORD are needed too`,
      );
    sources.push(
      vsphereSource(kind, {
        url: host,
        username,
        password,
        insecure,
        ...(thumbprint ? { thumbprint } : {}),
      }),
    );
  };
  vsphere(
    'esxi',
    s.VMWARE_ESXI_HOST,
    s.VMWARE_ESXI_USERNAME,
    s.VMWARE_ESXI_PASSWORD,
    s.VMWARE_ESXI_INSECURE,
    s.VMWARE_ESXI_THUMBPRINT,
  );
  vsphere(
    'vcenter',
    s.VMWARE_VCENTER_HOST,
    s.VMWARE_VCENTER_USERNAME,
    s.VMWARE_VCENTER_PASSWORD,
    s.VMWARE_VCENTER_INSECURE,
    s.VMWARE_VCENTER_THUMBPRINT,
  );
  return sources;
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
