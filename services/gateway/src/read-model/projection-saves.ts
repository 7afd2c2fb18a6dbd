import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@ferry/observability';
import type { Projections } from './projections.ts';
import { readSnapshot, readSnapshotHeader, writeSnapshot } from './snapshot-file.ts';

export interface SaveOptions {
  /** The save's file. */
  readonly file: string;
  /** The code that folds (see codeVersion): a save made by other code is not taken back. */
  readonly version: string;
  /** How often the projections are saved while commits come in (and once more at stop). */
  readonly everyMs: number;
}

/** Which event store this is, and how far it goes. */
export interface StoreIdentity {
  readonly id: string;
  readonly lastPosition: number;
}

/**
 * Saves of the projections with their position, so that a start folds only the commits after the
 * latest save. A save is a cache of the store, never its truth: one that cannot be read, made by
 * other code, of another store or ahead of it is left, and the start folds the whole store.
 */
export class ProjectionSaves {
  private savedPosition = 0;
  private saving: Promise<void> = Promise.resolve();

  constructor(
    private readonly projections: Projections,
    private readonly options: SaveOptions,
    private readonly store: () => Promise<StoreIdentity>,
    private readonly logger: Pick<Logger, 'info' | 'warn'>,
  ) {}

  /** Takes the save back when this gateway can use it; says in the log why not otherwise. */
  async load(): Promise<void> {
    const { file, version } = this.options;
    const started = performance.now();
    try {
      const header = await readSnapshotHeader(file);
      if (!header) {
        this.logger.info({ file }, 'no save of the projections: folding the whole store');
        return;
      }
      const store = await this.store();
      const refusal =
        header.version !== version
          ? 'made by another version of the gateway'
          : header.store !== store.id
            ? 'of another event store'
            : header.position > store.lastPosition
              ? 'ahead of the event store (restored from an older backup?)'
              : undefined;
      if (refusal) {
        this.logger.info(
          { file, position: header.position, savedAt: header.savedAt },
          `the save of the projections is ${refusal}: folding the whole store`,
        );
        return;
      }
      this.projections.restore(await readSnapshot(file), performance.now() - started);
      this.savedPosition = header.position;
      this.logger.info(
        {
          file,
          position: header.position,
          jobs: header.jobs,
          ms: Math.round(performance.now() - started),
        },
        'projections taken back from their save',
      );
    } catch (error) {
      this.logger.warn(
        { err: error, file },
        'the save of the projections cannot be read: folding the whole store',
      );
    }
  }

  /** Saves the projections as they are now, unless nothing was folded since; one save at a time. */
  save(): Promise<void> {
    this.saving = this.saving.then(() => this.saveNow());
    return this.saving;
  }

  /** Saves every `everyMs` while commits come in, until `signal` aborts. */
  async keep(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(this.options.everyMs, undefined, { signal }).catch(() => undefined);
      if (!signal.aborted) await this.save();
    }
  }

  private async saveNow(): Promise<void> {
    if (!this.projections.caughtUp || this.projections.position === this.savedPosition) return;
    const started = performance.now();
    try {
      const store = await this.store();
      const { position, ...content } = this.projections.saved();
      const bytes = await writeSnapshot(this.options.file, {
        header: { version: this.options.version, store: store.id, position },
        ...content,
      });
      this.savedPosition = position;
      this.logger.info(
        {
          file: this.options.file,
          position,
          jobs: content.jobs.entries.length,
          bytes,
          ms: Math.round(performance.now() - started),
        },
        'projections saved',
      );
    } catch (error) {
      this.logger.warn(
        { err: error, file: this.options.file },
        'the projections could not be saved: the next start folds more of the store',
      );
    }
  }
}
