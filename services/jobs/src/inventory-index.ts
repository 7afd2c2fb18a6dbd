import { JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';
import {
  EVENT_SUBJECT_PREFIX,
  STREAMS,
  type InventoryEvent,
  type VmDescription,
} from '@ferry/contracts';
import { emptyInventory, evolveInventory, type InventoryReadModel } from '@ferry/domain';
import type { EventStore } from '@ferry/event-store';

/** The position of the store's last inventory commit (0 when there is none): what a lookup catches up to. */
export async function inventoryHead(jsm: JetStreamManager): Promise<number> {
  try {
    return (
      (
        await jsm.direct.getMessage(STREAMS.events, {
          last_by_subj: `${EVENT_SUBJECT_PREFIX}.inventory.>`,
        })
      )?.seq ?? 0
    );
  } catch (error) {
    if (error instanceof JetStreamApiError && error.code === 404) return 0;
    throw error;
  }
}

/**
 * The inventory as the jobs service needs it (a VM's name and source by key), folded live from the
 * store's inventory events only. A lookup first waits until the fold has reached the last inventory
 * commit as it was when the lookup began, so a VM discovered just before a create command is found.
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
    const subscription = this.store.subscribe<InventoryEvent>(0, { category: 'inventory' });
    signal.addEventListener('abort', () => void subscription.close(), { once: true });
    for await (const commit of subscription) {
      this.model = evolveInventory(this.model, commit.events);
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
