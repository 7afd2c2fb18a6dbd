import { setTimeout as sleep } from 'node:timers/promises';
import type { InventoryEvent, MigrationEvent, VmClaimEvent } from '@ferry/contracts';
import { parseStreamName, type Commit, type EventStore } from '@ferry/event-store';
import type { Logger } from '@ferry/observability';
import { InventoryReadModel } from './inventory-read-model.ts';
import { JobsReadModel } from './jobs-read-model.ts';
import { Quarantine } from './quarantine.ts';

/**
 * The gateway's read models, folded from the whole store in one ordered feed: rebuilt from the
 * first commit at start-up, then kept live. Nothing is stored: a restarted gateway (or another
 * replica) folds the same commits into the same answers.
 */
export class Projections {
  readonly jobs = new JobsReadModel();
  readonly inventory = new InventoryReadModel();
  /** The position of the last commit folded. */
  position = 0;
  /** True once every commit there was at start-up has been folded. */
  caughtUp = false;
  /** How long the start-up rebuild took, in ms. */
  rebuildMs: number | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly logger: Pick<Logger, 'info' | 'warn'>,
    /** What the store's reads skipped (the store tells it, see main.ts). */
    readonly quarantine = new Quarantine(),
  ) {}

  /** Folds one commit; one at or before the position reached (seen already) changes nothing. */
  apply(commit: Commit): void {
    if (commit.position <= this.position) return;
    this.position = commit.position;
    const { category } = parseStreamName(commit.streamName);
    if (category === 'migration') this.jobs.apply(commit as Commit<MigrationEvent>);
    else if (category === 'inventory')
      for (const e of (commit as Commit<InventoryEvent>).events) this.inventory.applyInventory(e);
    else if (category === 'vm')
      for (const e of (commit as Commit<VmClaimEvent>).events) this.inventory.applyClaim(e);
  }

  /** Every commit there is now: the rebuild. */
  async catchUp(): Promise<void> {
    const started = performance.now();
    for await (const commit of this.store.readAll(this.position)) this.apply(commit);
    this.rebuildMs = performance.now() - started;
    this.caughtUp = true;
  }

  /** After the rebuild, each new commit as it is appended, until `signal` aborts; re-subscribes after a fault. */
  async follow(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const subscription = this.store.subscribe(this.position);
      const stop = () => void subscription.close();
      signal.addEventListener('abort', stop, { once: true });
      try {
        for await (const commit of subscription) this.apply(commit);
      } catch (error) {
        if (signal.aborted) break;
        this.logger.warn({ err: error }, 'the event feed broke off; following it again');
        await sleep(1000, undefined, { signal }).catch(() => undefined);
      } finally {
        signal.removeEventListener('abort', stop);
        await subscription.close();
      }
    }
  }
}
