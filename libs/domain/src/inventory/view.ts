import type { InventoryEvent, SourceRef, VmDescription } from '@ferry/contracts';

/** The inventory operators see: every VM of every source, stale while its source does not answer. */
export interface InventoryReadModel {
  readonly vms: ReadonlyMap<string, VmDescription>;
  /** Unreachable sources by `sourceKey`, with the error. */
  readonly unreachable: ReadonlyMap<string, string>;
  /** .vmx files that could not be read, by location. */
  readonly unreadable: ReadonlyMap<string, { readonly source: SourceRef; readonly error: string }>;
}

export interface InventoryEntry {
  readonly vm: VmDescription;
  readonly stale: boolean;
}

export const sourceKey = (source: SourceRef) => `${source.kind}:${source.id}`;

export const emptyInventory: InventoryReadModel = {
  vms: new Map(),
  unreachable: new Map(),
  unreadable: new Map(),
};

/** Folds inventory events of all sources into the read model. */
export function evolveInventory(
  model: InventoryReadModel,
  event: InventoryEvent,
): InventoryReadModel {
  switch (event.type) {
    case 'VmDiscovered':
    case 'VmChanged':
      return { ...model, vms: new Map(model.vms).set(event.data.vm.key, event.data.vm) };
    case 'VmVanished': {
      const vms = new Map(model.vms);
      vms.delete(event.data.vmKey);
      return { ...model, vms };
    }
    case 'VmUnreadable':
      return {
        ...model,
        unreadable: new Map(model.unreadable).set(event.data.location, {
          source: event.data.source,
          error: event.data.error,
        }),
      };
    case 'InventoryRefreshed': {
      const unreachable = new Map(model.unreachable);
      unreachable.delete(sourceKey(event.data.source));
      const unreadable =
        event.data.problems > 0
          ? model.unreadable
          : new Map(
              [...model.unreadable].filter(
                ([, u]) => sourceKey(u.source) !== sourceKey(event.data.source),
              ),
            );
      return { ...model, unreachable, unreadable };
    }
    case 'InventorySourceUnreachable':
      return {
        ...model,
        unreachable: new Map(model.unreachable).set(sourceKey(event.data.source), event.data.error),
      };
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
    }
  }
}

/** Every VM with whether it is stale, in name order. */
export const listInventory = (model: InventoryReadModel): InventoryEntry[] =>
  [...model.vms.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((vm) => ({ vm, stale: model.unreachable.has(sourceKey(vm.source)) }));
