import type { JetStreamClient } from '@nats-io/jetstream';
import fc from 'fast-check';
import mercurius from 'mercurius';
import { describe, expect, it } from 'vitest';
import { decodeCommand, migrationStream, type MigrationEvent } from '@ferry/contracts';
import { migrationDecider } from '@ferry/domain';
import type { Commit, EventStore } from '@ferry/event-store';
import { createMigration } from '@ferry/stages/testing';
import { Commands } from '../commands.ts';
import { InventoryReadModel } from '../read-model/inventory-read-model.ts';
import { JobsReadModel } from '../read-model/jobs-read-model.ts';
import { resolvers } from './resolvers.ts';

/** Jobs j0..j(n-1), created a minute apart, as the store would give them. */
function jobsOf(n: number) {
  const jobs = new JobsReadModel();
  for (let i = 0; i < n; i++) {
    const create = createMigration(`j${i}`);
    const now = new Date(Date.UTC(2026, 10, 26, 0, i)).toISOString();
    const events = migrationDecider.decide(
      { ...create, metadata: { ...create.metadata, now } },
      migrationDecider.initialState,
    ) as MigrationEvent[];
    const streamName = migrationStream(`j${i}`);
    jobs.apply({
      streamName,
      position: 0,
      events: events.map((e, revision) => ({
        ...e,
        eventId: `j${i}-${revision}`,
        streamName,
        revision,
        position: 0,
      })),
    } as Commit<MigrationEvent>);
  }
  return jobs;
}

/** A store that answers every CreateMigrations at once, as the jobs service would. */
const answeringStore = {
  subscribe: (_from: number, { stream }: { stream: string }) => ({
    async *[Symbol.asyncIterator]() {
      if (stream.startsWith('selection-'))
        yield {
          events: [{ type: 'MigrationSelectionProcessed', data: { jobs: [], skipped: [] } }],
        };
    },
    close: async () => undefined,
  }),
} as unknown as EventStore;

const jobs = jobsOf(6);

/** The gateway's resolvers over six jobs, sending commands to a JetStream that keeps them. */
function gateway() {
  const sent: { subject: string; payload: string }[] = [];
  const js = {
    publish: async (subject: string, payload: string) => {
      sent.push({ subject, payload });
      return { seq: sent.length };
    },
  } as unknown as JetStreamClient;
  const projections = { jobs, inventory: new InventoryReadModel() };
  const { Query, Mutation } = resolvers({
    projections,
    store: answeringStore,
    commands: new Commands(js, answeringStore, 1_000),
    health: {},
  } as never) as unknown as Record<'Query' | 'Mutation', Record<string, Resolver>>;
  return { Query, Mutation, sent };
}
type Resolver = (root: unknown, args: unknown, context: unknown) => unknown;

/** Whoever a provider's token names: any subject and name, of any length. */
const aCaller = fc
  .record({
    subject: fc.string({ minLength: 1, maxLength: 400 }),
    name: fc.string({ maxLength: 400 }),
  })
  .map((p) => ({ person: { ...p, roles: ['operator'] } }));

/** A resolver's answer, or the BAD_USER_INPUT it refused the arguments with; anything else fails. */
async function answer(resolve: () => unknown): Promise<{ value: unknown } | { refused: string }> {
  try {
    return { value: await resolve() };
  } catch (error) {
    expect(error).toBeInstanceOf(mercurius.ErrorWithProps);
    const { message, extensions } = error as InstanceType<typeof mercurius.ErrorWithProps>;
    expect(extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(message).toMatch(/\S/);
    return { refused: message };
  }
}

const isCursor = (cursor: string) => {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    return (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      parsed.every((part) => typeof part === 'string')
    );
  } catch {
    return false;
  }
};

describe('the migrations query on any arguments', () => {
  const { Query } = gateway();
  const migrations = (args: object) => Query.migrations?.(undefined, args, {}) as Connection;
  interface Connection {
    edges: { cursor: string; node: { id: string } }[];
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
    totalCount: number;
  }
  const cursors = migrations({ first: 500 }).edges.map((e) => e.cursor);

  it('answers a page no larger than asked, or refuses a page size or cursor it cannot take', async () => {
    const aSize = fc.option(
      fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.integer({ min: -2, max: 8 })),
      { nil: null },
    );
    const aCursor = fc.option(
      fc.oneof(
        fc.constantFrom(...cursors),
        fc.string({ unit: 'binary' }),
        fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v)).toString('base64url')),
        fc.string({ minLength: 200, maxLength: 2_000 }),
      ),
      { nil: null },
    );
    await fc.assert(
      fc.asyncProperty(aSize, aSize, aCursor, aCursor, async (first, last, after, before) => {
        const result = await answer(() => migrations({ first, last, after, before }));
        const badSize = [first, last].some((n) => n !== null && (n < 0 || n > 500));
        const badCursor = [after, before].some((c) => c && !isCursor(c));
        expect('refused' in result).toBe(badSize || badCursor);
        if ('value' in result) {
          const page = result.value as Connection;
          const asked = first ?? last ?? 100;
          expect(page.edges.length).toBeLessThanOrEqual(Math.min(asked, page.totalCount));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('pages through every job once, newest first, from any page size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), (size) => {
        const seen: string[] = [];
        let after: string | null = null;
        for (;;) {
          const page = migrations({ first: size, after });
          seen.push(...page.edges.map((e) => e.node.id));
          if (!page.pageInfo.hasNextPage) break;
          after = page.pageInfo.endCursor;
        }
        expect(seen).toEqual(['j5', 'j4', 'j3', 'j2', 'j1', 'j0']);
      }),
      { numRuns: 100 },
    );
  });
});

describe('the mutations on any arguments', () => {
  const aKey = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,20}$/);
  const aText = fc.oneof(
    { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 3 },
    { arbitrary: aKey, weight: 3 },
    fc.constantFrom('__proto__', 'constructor', ' ', ''),
    fc.string({ minLength: 250, maxLength: 1_100 }),
  );
  const optional = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
  const anOptionsInput = fc.record({
    strategy: optional(fc.oneof(fc.constantFrom('virt-v2v', 'qemu-img', 'auto', 'magic'), aText)),
    bootMode: optional(fc.constantFrom('image', 'volume', 'auto', 'floppy')),
    flavor: optional(aText),
    networkMapping: optional(
      fc.array(fc.record({ source: aText, target: aText }), { maxLength: 4 }),
    ),
    keepMac: optional(fc.boolean()),
  });

  it('migrate sends a command its consumer accepts, or refuses the input and sends nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.array(aText, { maxLength: 4 }), {
          arbitrary: fc.array(aKey, { minLength: 1, maxLength: 3 }),
          weight: 3,
        }),
        optional(anOptionsInput),
        optional(aText),
        aCaller,
        async (vmKeys, options, commandId, caller) => {
          const { Mutation, sent } = gateway();
          const result = await answer(() =>
            Mutation.migrate?.(undefined, { vmKeys, options, commandId }, caller),
          );
          if ('refused' in result) {
            expect(sent).toEqual([]);
            return;
          }
          expect(sent).toHaveLength(1);
          const [{ subject, payload } = { subject: '', payload: '' }] = sent;
          const decoded = decodeCommand(subject, payload);
          if (!decoded.ok) throw new Error(`sent what the consumer refuses: ${payload}`);
          expect(decoded.value.metadata.actor).toMatchObject({
            kind: 'person',
            id: caller.person.subject.slice(0, 256),
          });
          const pairs = options?.networkMapping ?? [];
          const mapping = (decoded.value.data as { options?: { networkMapping?: object } }).options
            ?.networkMapping;
          const inOrder = (entries: [string, string][]) =>
            entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
          if (options?.networkMapping)
            expect(inOrder(Object.entries(mapping ?? {}))).toEqual(
              inOrder(pairs.map((p) => [p.source, p.target])),
            );
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('refreshInventory sends a valid command for a source, or refuses it and sends nothing', async () => {
    const aSource = optional(
      fc.record({ kind: fc.constantFrom('workstation', 'esxi', 'vcenter'), id: aText }),
    );
    await fc.assert(
      fc.asyncProperty(aSource, aCaller, async (source, caller) => {
        const { Mutation, sent } = gateway();
        const result = await answer(() =>
          Mutation.refreshInventory?.(undefined, { source }, caller),
        );
        if ('refused' in result) {
          expect(sent).toEqual([]);
          return;
        }
        expect(sent.map((s) => decodeCommand(s.subject, s.payload).ok)).toEqual([true]);
      }),
      { numRuns: 1000 },
    );
  });
});
