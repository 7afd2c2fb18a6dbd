import type { InventoryEvent, VmDescription } from '@ferry/contracts';
import { emptyInventory, evolveInventory, type InventoryReadModel } from '@ferry/domain';
import type { EventStore } from '@ferry/event-store';

const INVENTORY_EVENTS = new Set<string>([
  'VmDiscovered',
  'VmChanged',
  'VmVanished',
  'InventoryRefreshed',
  'InventorySourceUnreachable',
  'VmUnreadable',
]);

/**
 * The inventory as the jobs service needs it (a VM's name and source by key), folded live from the
 * event store. A lookup first waits until the fold has reached the store's head as it was when the
 * lookup began, so a VM discovered just before a create command is found.
 */
export class InventoryIndex {
  private model: InventoryReadModel = emptyInventory;
  private position = 0;
  private waiters: { position: number; resolve: () => void }[] = [];
  private readonly store: EventStore;
  private readonly head: () => Promise<number>;

  constructor(store: EventStore, head: () => Promise<number>) {
    this.store = store;
    this.head = head;
  }

  /** Follows the store until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const subscription = this.store.subscribe();
    signal.addEventListener('abort', () => void subscription.close(), { once: true });
    for await (const commit of subscription) {
      for (const event of commit.events)
        if (INVENTORY_EVENTS.has(event.type))
          this.model = evolveInventory(this.model, event as unknown as InventoryEvent);
      this.position = commit.position;
      this.waiters = this.waiters.filter((w) => w.position > this.position || void w.resolve());
    }
  }

  /** The VMs known now, after catching up with the store. */
  async current(): Promise<ReadonlyMap<string, VmDescription>> {
    const target = await this.head();
    if (this.position < target)
      await new Promise<void>((resolve) => this.waiters.push({ position: target, resolve }));
    return this.model.vms;
  }
}
