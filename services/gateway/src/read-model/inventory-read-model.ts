import { EventEmitter } from 'node:events';
import type { InventoryEvent, SourceRef, VmClaimEvent } from '@ferry/contracts';
import {
  emptyInventory,
  evolveInventory,
  listInventory,
  sourceKey,
  type InventoryEntry,
  type InventoryReadModel as Inventory,
} from '@ferry/domain';
import type { RecordedEvent } from '@ferry/event-store';

/** What discovery last said of a source. */
export interface SourceStatus {
  readonly source: SourceRef;
  readonly key: string;
  readonly reachable: boolean;
  readonly error: string | null;
  readonly vmCount: number;
  /** When it last answered or failed to. */
  readonly at: string;
}

/** What a save keeps of the inventory: the model is never changed in place, the maps are copied. */
export interface SavedInventory {
  readonly model: Inventory;
  readonly claims: readonly (readonly [string, string])[];
  readonly sources: readonly SourceStatus[];
}

export interface InventoryChange {
  readonly type: InventoryEvent['type'] | VmClaimEvent['type'];
  readonly vmKey: string | null;
  readonly at: string;
}

/**
 * The inventory (every VM of every source, stale while its source does not answer), which job holds
 * each VM (its claim), and each source's last answer. Emits `change` for each inventory event.
 */
export class InventoryReadModel extends EventEmitter<{ change: [InventoryChange] }> {
  private model: Inventory = emptyInventory;
  private readonly claims = new Map<string, string>();
  private readonly sources = new Map<string, SourceStatus>();
  /** The list of the model as it is: sorted once per change, not per query (10,000 VMs). */
  private listed: { readonly model: Inventory; readonly entries: readonly InventoryEntry[] } = {
    model: emptyInventory,
    entries: [],
  };

  list(): readonly InventoryEntry[] {
    if (this.listed.model !== this.model)
      this.listed = { model: this.model, entries: listInventory(this.model) };
    return this.listed.entries;
  }

  get size(): number {
    return this.model.vms.size;
  }

  get(vmKey: string): InventoryEntry | undefined {
    const vm = this.model.vms.get(vmKey);
    return vm && { vm, stale: this.model.unreachable.has(sourceKey(vm.source)) };
  }

  /** The job holding the VM, if one is active. */
  claimOf(vmKey: string): string | undefined {
    return this.claims.get(vmKey);
  }

  sourceStatuses(): SourceStatus[] {
    return [...this.sources.values()].sort((a, b) => a.key.localeCompare(b.key));
  }

  sourceStatus(source: SourceRef): SourceStatus | undefined {
    return this.sources.get(sourceKey(source));
  }

  unreadable() {
    return [...this.model.unreadable].map(([location, u]) => ({ location, ...u }));
  }

  saved(): SavedInventory {
    return { model: this.model, claims: [...this.claims], sources: [...this.sources.values()] };
  }

  /** Takes back what `saved()` returned, in place of what this folded. */
  restore(saved: SavedInventory): void {
    this.model = saved.model;
    this.claims.clear();
    for (const [vmKey, jobId] of saved.claims) this.claims.set(vmKey, jobId);
    this.sources.clear();
    for (const status of saved.sources) this.sources.set(status.key, status);
  }

  /** A commit's inventory events: the model folded once for them all (see evolveInventory). */
  applyInventory(events: readonly RecordedEvent<InventoryEvent>[]): void {
    this.model = evolveInventory(this.model, events);
    for (const event of events) {
      const at = event.metadata.occurredAt;
      if (event.type === 'InventoryRefreshed' || event.type === 'InventorySourceUnreachable') {
        const key = sourceKey(event.data.source);
        const refreshed = event.type === 'InventoryRefreshed';
        this.sources.set(key, {
          source: event.data.source,
          key,
          reachable: refreshed,
          error: refreshed ? null : event.data.error,
          vmCount: refreshed ? event.data.vmCount : (this.sources.get(key)?.vmCount ?? 0),
          at,
        });
      }
      const vmKey =
        event.type === 'VmDiscovered' || event.type === 'VmChanged'
          ? event.data.vm.key
          : event.type === 'VmVanished'
            ? event.data.vmKey
            : null;
      this.emit('change', { type: event.type, vmKey, at });
    }
  }

  applyClaim(event: RecordedEvent<VmClaimEvent>): void {
    if (event.type === 'VmClaimed') this.claims.set(event.data.vmKey, event.data.jobId);
    else if (this.claims.get(event.data.vmKey) === event.data.jobId)
      this.claims.delete(event.data.vmKey);
    this.emit('change', {
      type: event.type,
      vmKey: event.data.vmKey,
      at: event.metadata.occurredAt,
    });
  }
}
