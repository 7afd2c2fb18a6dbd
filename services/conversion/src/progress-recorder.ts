import type { MigrationCommand } from '@ferry/domain';

// Progress is recorded at most once a second per disk, and at 100: each record is a synced write
// to the store, which must not compete with the conversion for the disk (a 2 GiB disk converts in
// 3 s here; a whole percent each would be 100 writes).
const INTERVAL_MS = 1_000;

/**
 * Turns a converter's progress callbacks into RecordConversionProgress commands, throttled per disk
 * and sent one after another. Progress is informational: a record refused (the job was cancelled
 * meanwhile) or lost (the store briefly away) must not fail the conversion; the completion is what counts.
 */
export function progressRecorder(
  record: (
    command: Omit<Extract<MigrationCommand, { type: 'RecordConversionProgress' }>, 'metadata'>,
    key: string,
  ) => Promise<unknown>,
) {
  const last = new Map<number, { percent: number; at: number }>();
  let chain: Promise<void> = Promise.resolve();
  return {
    progress(diskIndex: number, percent: number): void {
      const before = last.get(diskIndex) ?? { percent: -1, at: 0 };
      const due = percent === 100 || Date.now() - before.at >= INTERVAL_MS;
      if (!due || percent <= before.percent) return;
      last.set(diskIndex, { percent, at: Date.now() });
      chain = chain.then(() =>
        record(
          { type: 'RecordConversionProgress', data: { diskIndex, percent } },
          `progress:${diskIndex}:${Math.floor(percent)}`,
        ).then(
          () => undefined,
          () => undefined,
        ),
      );
    },
    /** Waits until every record asked for so far was sent. */
    flushed: () => chain,
  };
}
