import { setImmediate as yieldToRequests, setTimeout as sleep } from 'node:timers/promises';
import type { InventoryEvent, MigrationEvent, VmClaimEvent } from '@ferry/contracts';
import { parseStreamName, type Commit, type EventStore } from '@ferry/event-store';
import type { Logger } from '@ferry/observability';
import { InventoryReadModel } from './inventory-read-model.ts';
import { IDLE_MS, JobsReadModel } from './jobs-read-model.ts';
import { Quarantine } from './quarantine.ts';
import type { Snapshot, SnapshotContent } from './snapshot-file.ts';

/** Views packed between two yields to requests: about 0.1 s of work. */
const PACK_SLICE = 1_000;

/**
 * The gateway's read models, folded from the whole store in one ordered feed: rebuilt at start-up
 * from the first commit, or from a save of them and the commits after it, then kept live. The
 * store is the truth: a gateway without a save (or another replica) folds the same answers.
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
  /** The save the start took back (its position, and how long reading it took), if any. */
  restored: { readonly position: number; readonly ms: number } | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly logger: Pick<Logger, 'info' | 'warn'>,
    /** What the store's reads skipped (the store tells it, see main.ts). */
    readonly quarantine = new Quarantine(),
  ) {}

  /** What a save holds, as it is now; later folds leave it as it was (see JobsReadModel.saved). */
  saved(): Omit<SnapshotContent, 'header'> & { readonly position: number } {
    return {
      position: this.position,
      jobs: this.jobs.saved(),
      inventory: this.inventory.saved(),
      quarantine: this.quarantine.saved(),
    };
  }

  /** Starts from a save rather than the first commit: before anything is folded. */
  restore(snapshot: Snapshot, ms: number): void {
    if (this.position !== 0) throw new Error('a save is taken back before anything is folded');
    this.jobs.restore(snapshot.jobs);
    this.inventory.restore(snapshot.inventory);
    this.quarantine.restore(snapshot.quarantine);
    this.position = snapshot.header.position;
    this.restored = { position: snapshot.header.position, ms };
  }

  /** Folds one commit; one at or before the position reached (seen already) changes nothing. */
  apply(commit: Commit): void {
    if (commit.position <= this.position) return;
    this.position = commit.position;
    const { category } = parseStreamName(commit.streamName);
    if (category === 'migration') this.jobs.apply(commit as Commit<MigrationEvent>);
    else if (category === 'inventory')
      this.inventory.applyInventory((commit as Commit<InventoryEvent>).events);
    else if (category === 'vm')
      for (const e of (commit as Commit<VmClaimEvent>).events) this.inventory.applyClaim(e);
  }

  /** Every commit there is now (after the save taken back, if any): the rebuild. */
  async catchUp(): Promise<void> {
    const started = performance.now();
    this.jobs.packing = false;
    try {
      for await (const commit of this.store.readAll(this.position)) this.apply(commit);
    } finally {
      this.jobs.packing = true;
    }
    this.rebuildMs = performance.now() - started;
    this.caughtUp = true;
  }

  /** Packs the views of the jobs finished or idle for a while, a slice at a time; says how many. */
  async packIdle(now = Date.now()): Promise<number> {
    const before = new Date(now - IDLE_MS).toISOString();
    let total = 0;
    for (let n = PACK_SLICE; n === PACK_SLICE; total += n) {
      n = this.jobs.packIdle(before, PACK_SLICE);
      await yieldToRequests();
    }
    return total;
  }

  /** Packs idle jobs' views from time to time, until `signal` aborts. */
  async keepPacked(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(IDLE_MS / 2, undefined, { signal }).catch(() => undefined);
      if (!signal.aborted) await this.packIdle();
    }
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
