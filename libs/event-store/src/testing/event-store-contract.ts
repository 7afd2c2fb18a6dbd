import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CommitTooLargeError,
  InvalidEventError,
  InvalidStreamNameError,
  UnreadableStreamError,
  WrongExpectedRevisionError,
} from '../errors.ts';
import type { Commit, EventCheck, EventStore, NewEvent, UnreadableCommit } from '../port.ts';

export interface EventStoreFixture {
  /** A client made with `contractCheck`, reporting what it cannot read to `unreadable`. */
  readonly store: EventStore;
  /** Another client of the same store (its own connection), as another process would be. */
  newClient(): Promise<EventStore>;
  /** What `store` reported it could not read, in order. */
  readonly unreadable: UnreadableCommit[];
  /** Writes bytes as a commit of the stream behind the store's back, as a buggy writer would. */
  poison(streamName: string, bytes: Uint8Array): Promise<void>;
  teardown(): Promise<void>;
}

/**
 * The check the contract's stores are made with: events of type `Refused`, events without metadata,
 * and events with any other field than type, data and metadata (as a closed schema would) fail it.
 */
export const contractCheck: EventCheck = (e) =>
  e.type === 'Refused'
    ? 'refused by the check'
    : e.metadata === undefined
      ? 'it has no metadata'
      : Object.keys(e).some((k) => !['type', 'data', 'metadata'].includes(k))
        ? `unexpected fields: ${Object.keys(e).join(', ')}`
        : undefined;

const event = (type: string, data: unknown, id?: string): NewEvent => ({
  type,
  data,
  metadata: {
    commandId: 'c',
    correlationId: 'c',
    causationId: 'c',
    occurredAt: '2026-11-25T10:00:00Z',
  },
  ...(id === undefined ? {} : { id }),
});
let streams = 0;
const newStream = (category = 'test') =>
  `${category}-s${Date.now().toString(36)}${(streams++).toString(36)}`;

async function collect<T>(
  iterable: AsyncIterable<T>,
  until?: (items: T[]) => boolean,
): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) {
    items.push(item);
    if (until?.(items)) break;
  }
  return items;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the append to be refused');
}

/** The behaviour every event store adapter must have. Each adapter's integration test calls this. */
export function eventStoreContract(adapter: string, setup: () => Promise<EventStoreFixture>): void {
  describe(`event store contract: ${adapter}`, () => {
    let fixture: EventStoreFixture;
    let store: EventStore;
    beforeAll(async () => {
      fixture = await setup();
      store = fixture.store;
    });
    afterAll(async () => fixture.teardown());

    it('reads its own writes, with revisions from 0 and ids and metadata kept', async () => {
      const s = newStream();
      const first = await store.append(
        s,
        [event('A', { n: 1 }), event('B', { n: 2 })],
        'no-stream',
      );
      expect(first.nextExpectedRevision).toBe(1);
      const second = await store.append(s, [event('C', { n: 3 }, 'my-id')], 1);
      expect(second.nextExpectedRevision).toBe(2);
      expect(second.position).toBeGreaterThan(first.position);
      const read = await store.read(s);
      expect(read.revision).toBe(2);
      expect(read.events.map((e) => [e.type, e.data, e.revision, e.streamName])).toEqual([
        ['A', { n: 1 }, 0, s],
        ['B', { n: 2 }, 1, s],
        ['C', { n: 3 }, 2, s],
      ]);
      expect(read.events[2]?.eventId).toBe('my-id');
      expect(read.events[0]?.metadata).toEqual(event('A', {}).metadata);
      expect(new Set(read.events.map((e) => e.eventId)).size).toBe(3);
    });

    it('reads a stream that does not exist as empty', async () => {
      expect(await store.read(newStream())).toEqual({ events: [], revision: 'no-stream' });
    });

    it('refuses a stale revision, naming the stream, the expected and the actual revision', async () => {
      const s = newStream();
      await store.append(s, [event('A', 1), event('B', 2)], 'no-stream');
      const stale = await rejection(store.append(s, [event('X', 0)], 0));
      expect(stale).toBeInstanceOf(WrongExpectedRevisionError);
      expect(stale).toMatchObject({ streamName: s, expected: 0, actual: 1 });
      expect(await rejection(store.append(s, [event('X', 0)], 'no-stream'))).toMatchObject({
        expected: 'no-stream',
        actual: 1,
      });
      expect(await rejection(store.append(s, [event('X', 0)], 7))).toMatchObject({
        expected: 7,
        actual: 1,
      });
      expect(await rejection(store.append(newStream(), [event('X', 0)], 0))).toMatchObject({
        expected: 0,
        actual: 'no-stream',
      });
      expect((await store.read(s)).events.map((e) => e.type)).toEqual(['A', 'B']);
    });

    it('sees appends made by another client before deciding a revision is stale', async () => {
      const s = newStream();
      const other = await fixture.newClient();
      await store.append(s, [event('A', 1)], 'no-stream');
      await store.read(s);
      await other.append(s, [event('B', 2)], 0);
      expect((await store.append(s, [event('C', 3)], 1)).nextExpectedRevision).toBe(2);
    });

    it('reads what other clients appended since its last read or append, whole and in order', async () => {
      const s = newStream();
      const other = await fixture.newClient();
      const types = async () => (await store.read(s)).events.map((e) => [e.type, e.revision]);
      // The events named by these letters, at revisions 0, 1, 2, ...
      const stored = (letters: string) => [...letters].map((type, revision) => [type, revision]);
      await store.append(s, [event('A', 1)], 'no-stream');
      await other.append(s, [event('B', 2), event('C', 3)], 0);
      expect(await types()).toEqual(stored('ABC'));
      await other.append(s, [event('D', 4)], 2);
      await other.append(s, [event('E', 5)], 3);
      expect(await types()).toEqual(stored('ABCDE'));
      await store.append(s, [event('F', 6)], 4);
      await other.append(s, [event('G', 7)], 5);
      expect(await types()).toEqual(stored('ABCDEFG'));
      expect((await other.read(s)).events.map((e) => e.type)).toEqual([...'ABCDEFG']);
      expect((await store.read(s)).events.at(-1)).toMatchObject({
        type: 'G',
        data: 7,
        streamName: s,
      });
    });

    it('appends at any revision when told to', async () => {
      const s = newStream();
      await store.append(s, [event('A', 1)], 'any');
      await store.append(s, [event('B', 2)], 'any');
      expect((await store.read(s)).revision).toBe(1);
    });

    it('20 appenders at once on one stream: exactly one wins each revision', async () => {
      const s = newStream();
      const clients = await Promise.all(Array.from({ length: 20 }, () => fixture.newClient()));
      for (let round = 0; round < 5; round++) {
        const expected = round === 0 ? 'no-stream' : round - 1;
        const results = await Promise.allSettled(
          clients.map((c, i) => c.append(s, [event('Won', { round, by: i })], expected)),
        );
        const won = results.filter((r) => r.status === 'fulfilled');
        expect(won, `round ${round}`).toHaveLength(1);
        for (const r of results)
          if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(WrongExpectedRevisionError);
      }
      const read = await store.read(s);
      expect(read.events.map((e) => [e.revision, (e.data as { round: number }).round])).toEqual(
        [0, 1, 2, 3, 4].map((r) => [r, r]),
      );
    });

    it('stores a commit atomically: its events share one position, and a refused commit stores none', async () => {
      const s = newStream();
      await store.append(s, [event('A', 1), event('B', 2), event('C', 3)], 'no-stream');
      const read = await store.read(s);
      expect(new Set(read.events.map((e) => e.position)).size).toBe(1);
      await rejection(store.append(s, [event('D', 4), event('E', 5)], 0));
      expect((await store.read(s)).events).toHaveLength(3);
    });

    it('stores a re-sent commit (same event ids) once', async () => {
      const s = newStream();
      const commit = [event('A', 1, `${s}-e1`), event('B', 2, `${s}-e2`)];
      const first = await store.append(s, commit, 'no-stream');
      const again = await store.append(s, commit, 'any');
      expect(again).toEqual(first);
      expect((await store.read(s)).events.map((e) => e.eventId)).toEqual([`${s}-e1`, `${s}-e2`]);
    });

    it('readAll gives every commit in global order, and only those after a position', async () => {
      const [a, b, c] = [newStream('alpha'), newStream('beta'), newStream('gamma')];
      const positions: number[] = [];
      const order = [a, b, a, c, b, a];
      const revisions = new Map<string, number | 'no-stream'>();
      for (const [i, s] of order.entries()) {
        const expected = revisions.get(s) ?? 'no-stream';
        const result = await store.append(s, [event('N', i)], expected);
        revisions.set(s, result.nextExpectedRevision);
        positions.push(result.position);
      }
      const all = (await collect(store.readAll())).filter((commit) =>
        [a, b, c].includes(commit.streamName),
      );
      expect(all.map((commit) => [commit.streamName, commit.events[0]?.data])).toEqual(
        order.map((s, i) => [s, i]),
      );
      expect(all.map((commit) => commit.position)).toEqual(positions);
      const later = (await collect(store.readAll(positions[2]))).filter((commit) =>
        [a, b, c].includes(commit.streamName),
      );
      expect(later.map((commit) => commit.position)).toEqual(positions.slice(3));
    });

    it('readAll and subscribe give only the commits of one category, or of one stream', async () => {
      const category = `f${Date.now().toString(36)}${(streams++).toString(36)}`;
      const [a, b, other] = [newStream(category), newStream(category), newStream('beta')];
      const positions: number[] = [];
      for (const [i, s] of [a, other, b, a].entries())
        positions.push((await store.append(s, [event('N', i)], 'any')).position);
      const data = (commits: Commit[]) => commits.map((c) => [c.streamName, c.events[0]?.data]);
      expect(data(await collect(store.readAll(0, { category })))).toEqual([
        [a, 0],
        [b, 2],
        [a, 3],
      ]);
      expect(data(await collect(store.readAll(positions[2], { category })))).toEqual([[a, 3]]);
      expect(data(await collect(store.readAll(0, { stream: b })))).toEqual([[b, 2]]);
      expect(await collect(store.readAll(0, { stream: newStream(category) }))).toEqual([]);
      expect(await collect(store.readAll(positions[3], { category }))).toEqual([]);

      const subscription = store.subscribe(0, { stream: b });
      const seen = collect(subscription, (items) => items.length === 2);
      await store.append(a, [event('N', 4)], 'any');
      await store.append(b, [event('N', 5)], 'any');
      expect(data(await seen)).toEqual([
        [b, 2],
        [b, 5],
      ]);
      await subscription.close();
    });

    it('a subscription resumes from a checkpoint without gaps or repeats, live appends included', async () => {
      const s = newStream('sub');
      const before = await store.append(s, [event('N', 0)], 'no-stream');
      let revision = before.nextExpectedRevision;
      for (let i = 1; i < 5; i++)
        revision = (await store.append(s, [event('N', i)], revision)).nextExpectedRevision;
      const checkpoint = (await store.read(s)).events[2]?.position ?? 0; // after the third commit
      const subscription = store.subscribe(checkpoint);
      const seen: Commit[] = [];
      const done = collect(
        subscription,
        (items) => items.filter((c) => c.streamName === s).length === 7,
      ).then((items) => seen.push(...items));
      for (let i = 5; i < 10; i++)
        revision = (await store.append(s, [event('N', i)], revision)).nextExpectedRevision;
      await done;
      await subscription.close();
      const mine = seen.filter((c) => c.streamName === s).map((c) => c.events[0]?.data);
      expect(mine).toEqual([3, 4, 5, 6, 7, 8, 9]);
      const positions = seen.map((c) => c.position);
      expect([...positions].sort((x, y) => x - y)).toEqual(positions);
      expect(new Set(positions).size).toBe(positions.length);
      expect(positions[0]).toBeGreaterThan(checkpoint);
    });

    it('stores a large commit whole, and refuses one too large to store without storing any of it', async () => {
      const s = newStream();
      const large = Array.from({ length: 300 }, (_, i) =>
        event('Big', { i, blob: 'x'.repeat(2000) }),
      );
      await store.append(s, large, 'no-stream');
      const read = await store.read(s);
      expect(read.events).toHaveLength(300);
      expect(read.events[299]?.data).toEqual({ i: 299, blob: 'x'.repeat(2000) });
      // Past the 4 MB a message may have (deploy/nats).
      const tooLarge = Array.from({ length: 2200 }, (_, i) =>
        event('Huge', { i, blob: 'y'.repeat(2000) }),
      );
      expect(await rejection(store.append(s, tooLarge, 299))).toBeInstanceOf(CommitTooLargeError);
      expect((await store.read(s)).revision).toBe(299);
    });

    it('keeps any unicode text and binary data (as base64) exactly', async () => {
      const s = newStream();
      const bytes = randomBytes(4096);
      const text =
        'Zürich — 東京 — مرحبا — 🚀👩‍💻 — \u0000\u0001\u001f\u007f — \ud800 lone — "quotes" \\ back';
      await store.append(
        s,
        [
          event('Text', { text, [text]: 'as a key' }),
          event('Binary', { base64: bytes.toString('base64') }),
        ],
        'no-stream',
      );
      const [t, b] = (await store.read(s)).events;
      expect(t?.data).toEqual({ text, [text]: 'as a key' });
      expect(Buffer.from((b?.data as { base64: string }).base64, 'base64').equals(bytes)).toBe(
        true,
      );
    });

    it('refuses an event its check refuses, storing none of the commit', async () => {
      const s = newStream();
      await store.append(s, [event('A', 1)], 'no-stream');
      const refused = await rejection(store.append(s, [event('B', 2), event('Refused', 3)], 0));
      expect(refused).toBeInstanceOf(InvalidEventError);
      expect((refused as Error).message).toContain('refused by the check');
      expect((await store.read(s)).events.map((e) => e.type)).toEqual(['A']);
    });

    it('skips what it cannot read in readAll and subscribe, reports it once per read, and refuses to read its stream', async () => {
      const category = `q${Date.now().toString(36)}${(streams++).toString(36)}`;
      const [good, bad] = [newStream(category), newStream(category)];
      await store.append(good, [event('A', 1)], 'no-stream');
      await store.append(bad, [event('A', 1)], 'no-stream');
      const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
      const poisons = [
        new TextEncoder().encode('not json'),
        encode({ revision: 1, events: [{ id: 'x1', type: 'Refused', data: {} }] }),
        encode({ revision: 1, events: [{ id: 'x2', type: 'A', data: {} }] }),
      ];
      for (const bytes of poisons) await fixture.poison(bad, bytes);
      await store.append(good, [event('B', 2)], 0);

      const before = fixture.unreadable.length;
      const all = await collect(store.readAll(0, { category }));
      expect(all.map((c) => [c.streamName, c.events.map((e) => e.type)])).toEqual([
        [good, ['A']],
        [bad, ['A']],
        [good, ['B']],
      ]);
      const reported = fixture.unreadable.slice(before);
      expect(reported.map((u) => u.streamName)).toEqual([bad, bad, bad]);
      expect(reported.map((u) => u.reason)).toEqual([
        expect.stringMatching(/not a JSON commit/),
        expect.stringContaining('refused by the check'),
        expect.stringContaining('it has no metadata'),
      ]);
      expect(new Set(reported.map((u) => u.position)).size).toBe(3);

      const subscription = store.subscribe(0, { category });
      const live = collect(subscription, (items) => items.length === 4);
      await store.append(good, [event('C', 3)], 1);
      expect((await live).map((c) => c.streamName)).toEqual([good, bad, good, good]);
      await subscription.close();

      expect((await store.read(good)).events.map((e) => e.type)).toEqual(['A', 'B', 'C']);
      expect(await rejection(store.read(bad))).toBeInstanceOf(UnreadableStreamError);
      expect(await rejection(store.append(bad, [event('B', 2)], 'any'))).toBeInstanceOf(
        UnreadableStreamError,
      );
    });

    it('refuses a stream name that is not <category>-<id>', async () => {
      for (const bad of [
        'nodash',
        'Upper-x',
        'migration-has.dot',
        'migration-has space',
        'migration-*',
        'migration->',
      ]) {
        expect(await rejection(store.append(bad, [event('A', 1)], 'any')), bad).toBeInstanceOf(
          InvalidStreamNameError,
        );
      }
    });
  });
}
