import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrationStream, type MigrationEvent } from '@ferry/contracts';
import { migrationDecider } from '@ferry/domain';
import type { Commit, EventStore } from '@ferry/event-store';
import { createMigration } from '@ferry/stages/testing';
import { ProjectionSaves, type StoreIdentity } from './projection-saves.ts';
import { Projections } from './projections.ts';
import { readSnapshotHeader } from './snapshot-file.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Projections fed commits by hand: the saves never ask the store for commits. */
const projections = () => new Projections(undefined as unknown as EventStore, silent);
const silent = { info: () => undefined, warn: () => undefined };
const logged = () => {
  const lines: string[] = [];
  const log = (_: object, message: string) => void lines.push(message);
  // Only its messages are asked of it.
  return { lines, logger: { info: log, warn: log } as unknown as typeof silent };
};

/** Job `jobId` created: its first commit, at `position` of the store. */
function created(jobId: string, position: number): Commit<MigrationEvent> {
  const events = migrationDecider.decide(
    createMigration(jobId),
    migrationDecider.initialState,
  ) as MigrationEvent[];
  return {
    streamName: migrationStream(jobId),
    position,
    events: events.map((e, revision) => ({
      ...e,
      eventId: `${jobId}-${revision}`,
      streamName: migrationStream(jobId),
      revision,
      position,
    })),
  } as never;
}

function setUp(store: StoreIdentity = { id: 'FERRY_EVT@t0', lastPosition: 10 }) {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-saves-'));
  dirs.push(dir);
  const options = { file: join(dir, 'projections.snapshot'), version: 'v1', everyMs: 60_000 };
  const saved = projections();
  saved.apply(created('j1', 1));
  saved.apply(created('j2', 2));
  saved.caughtUp = true;
  return { options, saved, store };
}

describe('saves of the projections', () => {
  it('are taken back at the position they were made, with every job', async () => {
    const { options, saved, store } = setUp();
    await new ProjectionSaves(saved, options, async () => store, silent).save();
    const started = projections();
    await new ProjectionSaves(started, options, async () => store, silent).load();
    expect(started.restored?.position).toBe(2);
    expect(started.position).toBe(2);
    expect(started.jobs.page({}, {})).toEqual(saved.jobs.page({}, {}));
    // Folding goes on after the save, and a commit already in it changes nothing.
    started.apply(created('j2', 2));
    started.apply(created('j3', 3));
    expect(started.jobs.size).toBe(3);
  });

  it('are left when made by other code, of another store, or ahead of it, and say so', async () => {
    const { options, saved, store } = setUp();
    await new ProjectionSaves(saved, options, async () => store, silent).save();
    const cases: [Partial<typeof options>, StoreIdentity, RegExp][] = [
      [{ version: 'v2' }, store, /another version/],
      [{}, { ...store, id: 'FERRY_EVT@t1' }, /another event store/],
      [{}, { ...store, lastPosition: 1 }, /ahead of the event store/],
    ];
    for (const [changed, identity, reason] of cases) {
      const started = projections();
      const { lines, logger } = logged();
      await new ProjectionSaves(
        started,
        { ...options, ...changed },
        async () => identity,
        logger,
      ).load();
      expect(started.restored).toBeNull();
      expect(started.position).toBe(0);
      expect(lines.join('\n')).toMatch(reason);
    }
  });

  it('are left when damaged or torn, and the start folds the whole store', async () => {
    const { options, saved, store } = setUp();
    await new ProjectionSaves(saved, options, async () => store, silent).save();
    const whole = readFileSync(options.file);
    const damaged = Buffer.from(whole);
    damaged[damaged.length - 3] = (damaged[damaged.length - 3] as number) ^ 0xff;
    for (const bytes of [damaged, whole.subarray(0, whole.length - 5), Buffer.from('junk')]) {
      writeFileSync(options.file, bytes);
      const started = projections();
      const { lines, logger } = logged();
      await new ProjectionSaves(started, options, async () => store, logger).load();
      expect(started.restored).toBeNull();
      expect(started.jobs.size).toBe(0);
      expect(lines.join('\n')).toMatch(/cannot be read/);
    }
  });

  it('are made only when something was folded since the last', async () => {
    const { options, saved, store } = setUp();
    const saves = new ProjectionSaves(saved, options, async () => store, silent);
    await saves.save();
    const first = await readSnapshotHeader(options.file);
    await saves.save();
    expect((await readSnapshotHeader(options.file))?.savedAt).toBe(first?.savedAt);
    saved.apply(created('j3', 3));
    await saves.save();
    expect(await readSnapshotHeader(options.file)).toMatchObject({ position: 3, jobs: 3 });
  });
});
