import { createHash } from 'node:crypto';
import type { VmDescription } from '@ferry/contracts';
import type { ObjectContent } from './properties.ts';
import { retrieveObjects, viewPages } from './properties.ts';
import { openSession, type Credentials, type VsphereSession } from './session.ts';
import { moRefXml, readMoRef, type MoRef, type SoapOptions } from './soap.ts';
import { describeVm, VM_ELEMENTS, VM_PROPERTIES, type Described } from './vm-properties.ts';
import { text, type Keep } from './xml.ts';

export interface VsphereSourceOptions extends SoapOptions, Credentials {
  /** Objects per RetrievePropertiesEx (100 by default). */
  readonly batchSize?: number;
}

export interface VsphereInventory {
  readonly apiType: 'HostAgent' | 'VirtualCenter';
  readonly vms: readonly VmDescription[];
}

/**
 * Every VM of an ESXi host or a vCenter, read through the vim25 API: a session, the hosts' names,
 * a container view of VirtualMachine per datacenter (the datastore access needs to know it),
 * property retrieval in batches, each batch described while the next is fetched, then logout.
 * Only read-only methods are called.
 */
export async function discoverVsphere(options: VsphereSourceOptions): Promise<VsphereInventory> {
  const session = await openSession(options);
  try {
    const read = viewReader(session, options.batchSize ?? 100);
    const hosts = names(await all(read('HostSystem', ['name'])));
    const found: Described[] = [];
    for (const dc of await all(read('Datacenter', ['name']))) {
      const context = {
        ...sourceOf(session),
        datacenter: text(dc.props.get('name')) ?? dc.obj.value,
        hosts,
      };
      for await (const page of read('VirtualMachine', VM_PROPERTIES, dc.obj, VM_ELEMENTS))
        for (const vm of page) found.push(describeVm(vm, context));
    }
    const portgroups = await portgroupsIfNeeded(found, read);
    return { apiType: session.apiType, vms: found.map((d) => named(d, portgroups)) };
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
      VM_ELEMENTS,
    );
    if (!vm) return undefined;
    const host = readMoRef(vm.props.get('runtime.host'));
    const hosts = names(
      host ? await retrieveObjects(session.soap, collector, [host], ['name']) : [],
    );
    const described = describeVm(vm, {
      ...sourceOf(session),
      datacenter: known.labels?.['datacenter'] ?? '',
      hosts,
    });
    const portgroups = await portgroupsIfNeeded(
      [described],
      viewReader(session, options.batchSize ?? 100),
    );
    const found = named(described, portgroups);
    return found.key === known.key ? found : undefined;
  } finally {
    await session.close();
  }
}

type ViewReader = (
  type: string,
  paths: readonly string[],
  container?: MoRef,
  keep?: Keep,
) => AsyncGenerator<ObjectContent[]>;

/**
 * Reads every object of a type under a container (the root folder by default) through a container
 * view, a page at a time.
 */
function viewReader(session: VsphereSession, batchSize: number): ViewReader {
  const { soap, ref } = session;
  return async function* (type, paths, container = ref('rootFolder'), keep) {
    const [view] = await soap.call(
      'CreateContainerView',
      ref('viewManager'),
      `${moRefXml('container', container)}<vim25:type>${type}</vim25:type><vim25:recursive>true</vim25:recursive>`,
    );
    const viewRef = readMoRef(view);
    if (!viewRef) throw new Error('CreateContainerView returned no view');
    try {
      yield* viewPages(soap, ref('propertyCollector'), viewRef, paths, batchSize, keep);
    } finally {
      await soap.call('DestroyView', viewRef);
    }
  };
}

const all = async <T>(pages: AsyncIterable<T[]>): Promise<T[]> => {
  const out: T[] = [];
  for await (const page of pages) out.push(...page);
  return out;
};

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
  found: readonly Described[],
  read: ViewReader,
): Promise<ReadonlyMap<string, string>> {
  if (!found.some((d) => d.portgroupKeys.some((k) => k !== undefined))) return new Map();
  const groups = await all(read('DistributedVirtualPortgroup', ['name', 'key']));
  return new Map(
    groups.map((g) => [
      text(g.props.get('key')) ?? g.obj.value,
      text(g.props.get('name')) ?? g.obj.value,
    ]),
  );
}

const names = (objects: readonly ObjectContent[]) =>
  new Map(objects.map((o) => [o.obj.value, text(o.props.get('name')) ?? o.obj.value]));

/** The VM with its distributed port groups named (the key stays where no name was found). */
function named({ vm, portgroupKeys }: Described, portgroups: ReadonlyMap<string, string>) {
  if (!portgroupKeys.some((k) => k !== undefined)) return vm;
  return {
    ...vm,
    nics: vm.nics.map((nic, i) => {
      const key = portgroupKeys[i];
      return key ? { ...nic, network: (portgroups.get(key) ?? nic.network).slice(0, 255) } : nic;
    }),
  };
}
