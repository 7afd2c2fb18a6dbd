import { createHash } from 'node:crypto';
import type { VmDescription } from '@ferry/contracts';
import type { ObjectContent } from './properties.ts';
import { retrieveFromView } from './properties.ts';
import { openSession, type Credentials } from './session.ts';
import { moRefXml, readMoRef, type SoapOptions } from './soap.ts';
import { readDevices, VM_PROPERTIES } from './vm-properties.ts';
import { text } from './xml.ts';

export interface VsphereSourceOptions extends SoapOptions, Credentials {
  /** Objects per RetrievePropertiesEx page. */
  readonly pageSize?: number;
}

export interface VsphereInventory {
  readonly apiType: 'HostAgent' | 'VirtualCenter';
  readonly vms: readonly VmDescription[];
}

/**
 * Every VM of an ESXi host or a vCenter, read through the vim25 API: a session, a container view
 * of VirtualMachine per datacenter (the datastore access needs to know it), paged property
 * retrieval, then logout. Only read-only methods are called.
 */
export async function discoverVsphere(options: VsphereSourceOptions): Promise<VsphereInventory> {
  const session = await openSession(options);
  const { soap, ref } = session;
  try {
    const read = async (type: string, paths: readonly string[], container = ref('rootFolder')) => {
      const [view] = await soap.call(
        'CreateContainerView',
        ref('viewManager'),
        `${moRefXml('container', container)}<vim25:type>${type}</vim25:type><vim25:recursive>true</vim25:recursive>`,
      );
      const viewRef = readMoRef(view);
      if (!viewRef) throw new Error('CreateContainerView returned no view');
      try {
        return await retrieveFromView(
          soap,
          ref('propertyCollector'),
          viewRef,
          type,
          paths,
          options.pageSize ?? 100,
        );
      } finally {
        await soap.call('DestroyView', viewRef);
      }
    };
    const vms: { vm: ObjectContent; datacenter: string }[] = [];
    for (const dc of await read('Datacenter', ['name'])) {
      const datacenter = text(dc.props.get('name')) ?? dc.obj.value;
      for (const vm of await read('VirtualMachine', VM_PROPERTIES, dc.obj))
        vms.push({ vm, datacenter });
    }
    const hosts = names(await read('HostSystem', ['name']));
    const devices = new Map(
      vms.map(({ vm }) => [vm.obj.value, readDevices(vm.props.get('config.hardware.device'))]),
    );
    // NICs on distributed switches name a port group by key: look the names up only when there are any.
    const onDvs = [...devices.values()].some((d) =>
      d.nics.some((n) => n.portgroupKey !== undefined),
    );
    const portgroups = onDvs ? await portgroupNames(read) : new Map<string, string>();
    const source = {
      kind: session.apiType === 'VirtualCenter' ? 'vcenter' : 'esxi',
      id: soap.host,
    } as const;
    const prefix = `vs-${createHash('sha256').update(session.instance).digest('hex').slice(0, 12)}`;
    return {
      apiType: session.apiType,
      vms: vms.map(({ vm, datacenter }) =>
        describe(vm, devices.get(vm.obj.value) ?? readDevices(undefined), {
          source,
          prefix,
          datacenter,
          hosts,
          portgroups,
        }),
      ),
    };
  } finally {
    await session.close();
  }
}

const names = (objects: readonly ObjectContent[]) =>
  new Map(objects.map((o) => [o.obj.value, text(o.props.get('name')) ?? o.obj.value]));

async function portgroupNames(
  read: (type: string, paths: readonly string[]) => Promise<ObjectContent[]>,
) {
  const groups = await read('DistributedVirtualPortgroup', ['name', 'key']);
  return new Map(
    groups.map((g) => [
      text(g.props.get('key')) ?? g.obj.value,
      text(g.props.get('name')) ?? g.obj.value,
    ]),
  );
}

interface Context {
  readonly source: VmDescription['source'];
  readonly prefix: string;
  readonly datacenter: string;
  readonly hosts: ReadonlyMap<string, string>;
  readonly portgroups: ReadonlyMap<string, string>;
}

function describe(
  vm: ObjectContent,
  { disks, nics }: ReturnType<typeof readDevices>,
  { source, prefix, datacenter, hosts, portgroups }: Context,
): VmDescription {
  const p = (name: string) => text(vm.props.get(name));
  const power = p('runtime.powerState');
  const host = readMoRef(vm.props.get('runtime.host'));
  const uuid = p('config.uuid');
  const vmx = p('config.files.vmPathName');
  return {
    key: `${prefix}-${vm.obj.value}`.slice(0, 160),
    name: (p('name') ?? vm.obj.value).slice(0, 255),
    source,
    ...(uuid ? { uuid: uuid.slice(0, 64) } : {}),
    cpus: Math.max(1, Number(p('config.hardware.numCPU') ?? 1)),
    memoryMiB: Math.max(1, Number(p('config.hardware.memoryMB') ?? 1)),
    firmware: p('config.firmware') === 'efi' ? 'efi' : 'bios',
    secureBoot: p('config.bootOptions.efiSecureBootEnabled') === 'true',
    guestOs: (p('config.guestId') ?? 'other').slice(0, 128),
    powerState: power === 'poweredOn' || power === 'suspended' ? power : 'poweredOff',
    hasSnapshots: vm.props.has('snapshot') || disks.some((d) => (d.chainLength ?? 1) > 1),
    disks: disks.slice(0, 64),
    nics: nics.slice(0, 32).map(({ portgroupKey, ...nic }) => ({
      ...nic,
      network: (portgroupKey ? portgroups.get(portgroupKey) : undefined) ?? nic.network,
    })),
    labels: {
      moref: vm.obj.value,
      datacenter,
      ...(vmx ? { vmx } : {}),
      ...(host ? { host: hosts.get(host.value) ?? host.value } : {}),
    },
  };
}
