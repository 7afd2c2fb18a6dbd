import type { EventOf, InventoryEvent, SourceRef, VmDescription } from '@ferry/contracts';
import { eventMetadata, type Decider, type DomainCommand } from '../decider.ts';

export type RecordScan = DomainCommand<
  'RecordScan',
  {
    source: SourceRef;
    vms: readonly VmDescription[];
    unreadable: readonly { location: string; error: string }[];
  }
>;
export type RecordSourceUnreachable = DomainCommand<
  'RecordSourceUnreachable',
  { source: SourceRef; error: string }
>;
export type InventoryCommand = RecordScan | RecordSourceUnreachable;

/** What Ferry knows of one source: its VMs as last seen, what it could not read, and whether it answered. */
export interface SourceInventory {
  readonly vms: ReadonlyMap<string, VmDescription>;
  readonly unreadable: ReadonlyMap<string, string>;
  /** The error of the last refresh that failed, while the source stays unreachable; its VMs are stale. */
  readonly unreachable: string | null;
}

const FIELDS = [
  'name',
  'uuid',
  'cpus',
  'memoryMiB',
  'firmware',
  'secureBoot',
  'guestOs',
  'powerState',
  'hasSnapshots',
  'disks',
  'nics',
  'labels',
  'problems',
  'facts',
  'annotation',
  'attributes',
] as const;

/** The top-level fields of a VM that differ between two sightings. */
export const changedFields = (before: VmDescription, after: VmDescription): string[] =>
  FIELDS.filter((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]));

/**
 * The inventory of one source (stream `inventory-<source>`). A scan records only what changed:
 * VMs new, changed or gone, and new problems; a source that does not answer marks its VMs stale
 * rather than vanished. Idempotent by comparison: the same scan twice records nothing the second time.
 */
export const inventoryDecider: Decider<InventoryCommand, InventoryEvent, SourceInventory> = {
  initialState: { vms: new Map(), unreadable: new Map(), unreachable: null },

  decide(command, state) {
    const metadata = eventMetadata(command.metadata);
    const { source } = command.data;
    if (command.type === 'RecordSourceUnreachable') {
      if (state.unreachable === command.data.error) return [];
      return [
        {
          type: 'InventorySourceUnreachable',
          data: { source, error: command.data.error.slice(0, 2048) },
          metadata,
        },
      ];
    }
    const events: InventoryEvent[] = [];
    const seen = new Set<string>();
    for (const vm of command.data.vms) {
      seen.add(vm.key);
      const known = state.vms.get(vm.key);
      if (!known) events.push({ type: 'VmDiscovered', data: { vm }, metadata });
      else {
        const changed = changedFields(known, vm);
        if (changed.length > 0) events.push({ type: 'VmChanged', data: { vm, changed }, metadata });
      }
    }
    for (const key of state.vms.keys())
      if (!seen.has(key))
        events.push({ type: 'VmVanished', data: { vmKey: key, source }, metadata });
    for (const { location, error } of command.data.unreadable) {
      if (state.unreadable.get(location) !== error)
        events.push({
          type: 'VmUnreadable',
          data: { source, location: location.slice(0, 4096), error: error.slice(0, 2048) },
          metadata,
        });
    }
    const problemsGone = [...state.unreadable.keys()].some(
      (l) => !command.data.unreadable.some((u) => u.location === l),
    );
    // A refresh is worth recording when something changed, or when it ends a spell of unreachability.
    if (events.length === 0 && state.unreachable === null && !problemsGone) return [];
    const refreshed: EventOf<'InventoryRefreshed'> = {
      type: 'InventoryRefreshed',
      data: { source, vmCount: command.data.vms.length, problems: command.data.unreadable.length },
      metadata,
    };
    return [...events, refreshed];
  },

  evolve: (state, event) => evolveSource(state, [event]),
  evolveAll: (state, events) => evolveSource(state, events),
};

/** A new state, each map copied once for the whole batch: a 10,000-VM source folds in linear time. */
function evolveSource(state: SourceInventory, events: readonly InventoryEvent[]): SourceInventory {
  const vms = new Map(state.vms);
  let unreadable = new Map(state.unreadable);
  let unreachable = state.unreachable;
  for (const event of events) {
    switch (event.type) {
      case 'VmDiscovered':
      case 'VmChanged':
        vms.set(event.data.vm.key, event.data.vm);
        break;
      case 'VmVanished':
        vms.delete(event.data.vmKey);
        break;
      case 'VmUnreadable':
        unreadable.set(event.data.location, event.data.error);
        break;
      case 'InventoryRefreshed':
        // The scan's problems are now the whole list: drop those it no longer reported.
        unreachable = null;
        if (event.data.problems === 0) unreadable = new Map();
        break;
      case 'InventorySourceUnreachable':
        unreachable = event.data.error;
        break;
      default: {
        const unhandled: never = event;
        throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
      }
    }
  }
  return { vms, unreadable, unreachable };
}

export const INVENTORY_COMMAND_TYPES = [
  'RecordScan',
  'RecordSourceUnreachable',
] as const satisfies readonly InventoryCommand['type'][];
