import { createHash } from 'node:crypto';
import type { VmDescription } from '@ferry/contracts';
import type { ObjectContent } from './properties.ts';
import { retrieveFromView, retrieveObjects } from './properties.ts';
import { openSession, type Credentials, type VsphereSession } from './session.ts';
import { moRefXml, readMoRef, type MoRef, type SoapOptions } from './soap.ts';
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
  try {
    const read = viewReader(session, options.pageSize ?? 100);
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
    const portgroups = await portgroupsIfNeeded([...devices.values()], read);
    return {
      apiType: session.apiType,
      vms: vms.map(({ vm, datacenter }) =>
        describe(vm, devices.get(vm.obj.value) ?? readDevices(undefined), {
          ...sourceOf(session),
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

/**
 * One VM discovered earlier, read again by its managed object reference (a job's validation): its
 * properties, its host's name and, when its NICs need them, the port group names. Undefined when
 * the VM no longer exists (or the reference now names another VM).
 */
export async function rereadVsphereVm(
  options: VsphereSourceOptions,
  known: VmDescription,
): Promise<VmDescription | undefined> {
  const moref = known.labels?.['moref'];
  if (!moref) return undefined;
  const session = await openSession(options);
  try {
    const collector = session.ref('propertyCollector');
    const [vm] = await retrieveObjects(
      session.soap,
      collector,
      [{ type: 'VirtualMachine', value: moref }],
      VM_PROPERTIES,
    );
    if (!vm) return undefined;
    const host = readMoRef(vm.props.get('runtime.host'));
    const hosts = names(
      host ? await retrieveObjects(session.soap, collector, [host], ['name']) : [],
    );
    const devices = readDevices(vm.props.get('config.hardware.device'));
    const portgroups = await portgroupsIfNeeded(
      [devices],
      viewReader(session, options.pageSize ?? 100),
    );
    const found = describe(vm, devices, {
      ...sourceOf(session),
      datacenter: known.labels?.['datacenter'] ?? '',
      hosts,
      portgroups,
    });
    return found.key === known.key ? found : undefined;
  } finally {
    await session.close();
  }
}

type ViewReader = (
  type: string,
  paths: readonly string[],
  container?: MoRef,
) => Promise<ObjectContent[]>;

/** Reads every object of a type under a container (the root folder by default) through a container view. */
function viewReader(session: VsphereSession, pageSize: number): ViewReader {
  const { soap, ref } = session;
  return async (type, paths, container = ref('rootFolder')) => {
    const [view] = await soap.call(
      'CreateContainerView',
      ref('viewManager'),
      `${moRefXml('container', container)}<vim25:type>${type}</vim25:type><vim25:recursive>true</vim25:recursive>`,
    );
    const viewRef = readMoRef(view);
    if (!viewRef) throw new Error('CreateContainerView returned no view');
    try {
      return await retrieveFromView(soap, ref('propertyCollector'), viewRef, type, paths, pageSize);
    } finally {
      await soap.call('DestroyView', viewRef);
    }
  };
}

/** The source and the key prefix of a host's VMs: from its instance, so keys stay stable. */
const sourceOf = (session: VsphereSession) => ({
  source: {
    kind: session.apiType === 'VirtualCenter' ? 'vcenter' : 'esxi',
    id: session.soap.host,
  } as const,
  prefix: `vs-${createHash('sha256').update(session.instance).digest('hex').slice(0, 12)}`,
});

/** NICs on distributed switches name a port group by key: look the names up only when there are any. */
async function portgroupsIfNeeded(
  devices: readonly ReturnType<typeof readDevices>[],
  read: ViewReader,
): Promise<ReadonlyMap<string, string>> {
  const onDvs = devices.some((d) => d.nics.some((n) => n.portgroupKey !== undefined));
  return onDvs ? portgroupNames(read) : new Map<string, string>();
}

const names = (objects: readonly ObjectContent[]) =>
  new Map(objects.map((o) => [o.obj.value, text(o.props.get('name')) ?? o.obj.value]));

async function portgroupNames(read: ViewReader) {
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
