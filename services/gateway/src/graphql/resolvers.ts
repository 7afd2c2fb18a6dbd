import { on } from 'node:events';
import type { EventEmitter } from 'node:events';
import type { IResolvers, MercuriusContext } from 'mercurius';
import type {
  MigrationEvent,
  MigrationOptions,
  MigrationState,
  ToolLogLine,
  VmDescription,
  VmNic as VmNicValue,
} from '@ferry/contracts';
import { migrationStream, type Actor } from '@ferry/contracts';
import { describeEvent, sourceKey, type JobView } from '@ferry/domain';
import type { EventStore } from '@ferry/event-store';
import { inSpan, SpanKind } from '@ferry/observability';
import type { CommandOutcome, Commands } from '../commands.ts';
import type { DeadLetters } from '../dead-letters.ts';
import { actorOf } from '../auth/guard.ts';
import type { Health } from '../health.ts';
import type { InventoryChange } from '../read-model/inventory-read-model.ts';
import type { JobCursor } from '../read-model/jobs-read-model.ts';
import type { Projections } from '../read-model/projections.ts';
import { MAX_PAGE } from './complexity.ts';
import { cut, gatewayError } from './errors.ts';
import { DateTime, JSON as JSONScalar } from './scalars.ts';
import { toMigration, toSource, toVm, type MigrationNode, type VmNode } from './to-graphql.ts';

export interface ResolverDeps {
  readonly projections: Projections;
  readonly store: EventStore;
  readonly commands: Commands;
  readonly health: Health;
  readonly deadLetters: DeadLetters;
  /** The last lines of a job's tool log. */
  readonly toolLog: (jobId: string, last: number) => Promise<readonly ToolLogLine[]>;
}

interface InventoryFilter {
  source?: string | null;
  name?: string | null;
  powerState?: VmDescription['powerState'] | null;
  hasActiveJob?: boolean | null;
}

interface OptionsInput {
  strategy?: string | null;
  bootMode?: string | null;
  flavor?: string | null;
  networkMapping?: { source: string; target: string }[] | null;
  keepMac?: boolean | null;
  keepIps?: boolean | null;
  availabilityZone?: string | null;
  securityGroups?: string[] | null;
  keyName?: string | null;
  volumeType?: string | null;
  serverName?: string | null;
}

/** The schema's resolvers: reads from the projections, writes as NATS commands; no rule of Ferry's is here. */
export function resolvers({
  projections,
  store,
  commands,
  health,
  deadLetters,
  toolLog,
}: ResolverDeps): IResolvers {
  const { jobs, inventory } = projections;
  const migration = (view: JobView) => toMigration(view, inventory.sourceStatus(view.job.source));
  const vm = (key: string) => {
    const entry = inventory.get(key);
    return entry && toVm(entry, inventory.sourceStatus(entry.vm.source));
  };
  return {
    DateTime,
    JSON: JSONScalar,
    Query: {
      inventory: (_root, { filter }: { filter?: InventoryFilter | null }) =>
        inventory
          .list()
          .filter(inventoryMatcher(filter ?? {}, (key) => inventory.claimOf(key) !== undefined))
          .map((e) => toVm(e, inventory.sourceStatus(e.vm.source))),
      sources: () => {
        const statuses = inventory.sourceStatuses();
        return statuses.map((s) => toSource(s.source, s));
      },
      unreadableVms: () =>
        inventory.unreadable().map((u) => ({
          location: u.location,
          error: u.error,
          source: toSource(u.source, inventory.sourceStatus(u.source)),
        })),
      migrations: (
        _root,
        args: {
          first?: number | null;
          after?: string | null;
          last?: number | null;
          before?: string | null;
          filter?: {
            states?: MigrationState[] | null;
            vmKey?: string | null;
            source?: string | null;
            vmName?: string | null;
            createdAfter?: string | null;
            createdBefore?: string | null;
          } | null;
        },
      ) => {
        for (const name of ['first', 'last'] as const) {
          const n = args[name];
          if (n != null && (n < 0 || n > MAX_PAGE))
            throw gatewayError('BAD_USER_INPUT', `${name}: from 0 to ${MAX_PAGE}, not ${n}`);
        }
        const page = jobs.page(args.filter ?? {}, {
          first: args.first,
          last: args.last,
          after: args.after ? decodeCursor(args.after) : null,
          before: args.before ? decodeCursor(args.before) : null,
        });
        const edges = page.jobs.map((v) => ({ cursor: encodeCursor(v), node: migration(v) }));
        return {
          edges,
          totalCount: page.totalCount,
          pageInfo: {
            hasNextPage: page.hasNextPage,
            hasPreviousPage: page.hasPreviousPage,
            startCursor: edges[0]?.cursor ?? null,
            endCursor: edges.at(-1)?.cursor ?? null,
          },
        };
      },
      migration: (_root, { id }: { id: string }) => {
        const view = jobs.get(id);
        return view ? migration(view) : null;
      },
      health: async () => {
        const components = await health.components();
        return { status: components.every((c) => c.ok) ? 'ok' : 'degraded', components };
      },
      quarantine: () => ({
        totalCount: projections.quarantine.size,
        commits: projections.quarantine.list().map((c) => ({ ...c, stream: c.streamName })),
      }),
      deadLetters: (_root, { last }: { last?: number | null }) => deadLetters.list(last ?? 100),
    },
    Mutation: {
      refreshInventory: (
        _root,
        { source }: { source?: { kind: 'workstation' | 'esxi' | 'vcenter'; id: string } | null },
        context: MercuriusContext,
      ) =>
        mutation('refreshInventory', () => commands.refresh(actorOf(context), source ?? undefined)),
      migrate: (
        _root,
        args: { vmKeys: string[]; options?: OptionsInput | null; commandId?: string | null },
        context: MercuriusContext,
      ) =>
        mutation('migrate', () =>
          commands.migrate(
            actorOf(context),
            args.vmKeys,
            migrationOptions(args.options ?? {}),
            args.commandId ?? undefined,
          ),
        ),
      cancelMigration: jobRequest('cancelMigration', (actor, id, reason) =>
        commands.cancel(actor, id, reason),
      ),
      cancelMigrations: jobsRequest('cancelMigrations', (actor, id, reason) =>
        commands.cancel(actor, id, reason),
      ),
      retryMigration: jobRequest('retryMigration', (...a) => commands.retry(...a)),
      retryMigrations: jobsRequest('retryMigrations', (...a) => commands.retry(...a)),
      rerunRollback: jobRequest('rerunRollback', (actor, id, reason) =>
        commands.rerunRollback(actor, id, reason),
      ),
      replayDeadLetters: (_root, { seqs }: { seqs: number[] }, context: MercuriusContext) =>
        mutation('replayDeadLetters', () => deadLetters.replay(seqs, actorOf(context))),
    },
    Subscription: {
      migrationUpdated: {
        subscribe: (_root: unknown, { id }: { id?: string | null }) =>
          updates(jobs, 'job', (view: JobView) => !id || view.job.jobId === id),
        resolve: (view: JobView) => migration(view),
      },
      inventoryChanged: {
        subscribe: () => updates(inventory, 'change', () => true),
        resolve: (change: InventoryChange) => ({
          ...change,
          vm: change.vmKey === null ? null : (vm(change.vmKey) ?? null),
        }),
      },
    },
    Vm: {
      activeJob: (parent: VmNode) => {
        const jobId = inventory.claimOf(parent.key);
        const view = jobId === undefined ? undefined : jobs.get(jobId);
        return view ? migration(view) : null;
      },
    },
    VmNic: {
      addresses: (nic: VmNicValue) => (nic.addresses ?? []).map((a) => `${a.ip}/${a.prefix}`),
      addressSource: (nic: VmNicValue) => nic.addressSource ?? null,
    },
    Migration: {
      timeline: async (parent: MigrationNode) => {
        const { events } = await store.read<MigrationEvent>(migrationStream(parent.id));
        return events.map((e) => ({
          revision: e.revision,
          type: e.type,
          at: e.metadata.occurredAt,
          summary: describeEvent(e),
          commandId: e.metadata.commandId,
          actor: e.metadata.actor ?? null,
          data: e.data,
        }));
      },
      toolLog: (parent: MigrationNode, { last }: { last?: number | null }) =>
        toolLog(parent.id, Math.min(Math.max(last ?? 500, 1), 2000)),
    },
  } as IResolvers;
}

/** Each payload the emitter sends under `name` that `keep` accepts, until the client unsubscribes. */
async function* updates<T>(
  emitter: EventEmitter,
  name: string,
  keep: (payload: T) => boolean,
): AsyncGenerator<T> {
  const stop = new AbortController();
  try {
    for await (const [payload] of on(emitter, name, { signal: stop.signal }))
      if (keep(payload as T)) yield payload as T;
  } finally {
    stop.abort();
  }
}

function inventoryMatcher(filter: InventoryFilter, hasActiveJob: (vmKey: string) => boolean) {
  const name = filter.name?.toLowerCase();
  return ({ vm }: { vm: VmDescription }) =>
    (!filter.source ||
      sourceKey(vm.source) === filter.source ||
      vm.source.kind === filter.source) &&
    (!name || vm.name.toLowerCase().includes(name) || vm.key.toLowerCase().includes(name)) &&
    (!filter.powerState || vm.powerState === filter.powerState) &&
    (filter.hasActiveJob == null || hasActiveJob(vm.key) === filter.hasActiveJob);
}

/** The options as CreateMigrations takes them: the command's schema checks the values. */
function migrationOptions(input: OptionsInput): Partial<MigrationOptions> {
  const sources = (input.networkMapping ?? []).map((m) => m.source);
  const twice = sources.find((s, i) => sources.indexOf(s) !== i);
  if (twice !== undefined)
    throw gatewayError('BAD_USER_INPUT', `network ${twice} is mapped twice`, [
      { path: '/data/options/networkMapping', message: `${twice} is mapped twice` },
    ]);
  return {
    ...(input.strategy != null && { strategy: input.strategy as MigrationOptions['strategy'] }),
    ...(input.bootMode != null && { bootMode: input.bootMode as MigrationOptions['bootMode'] }),
    ...(input.flavor != null && { flavor: input.flavor.trim() || null }),
    ...(input.keepMac != null && { keepMac: input.keepMac }),
    ...(input.keepIps != null && { keepIps: input.keepIps }),
    ...(input.availabilityZone != null && {
      availabilityZone: input.availabilityZone.trim() || null,
    }),
    ...(input.securityGroups != null && {
      securityGroups: [...new Set(input.securityGroups.map((g) => g.trim()).filter(Boolean))],
    }),
    ...(input.keyName != null && { keyName: input.keyName.trim() || null }),
    ...(input.volumeType != null && { volumeType: input.volumeType.trim() || null }),
    ...(input.serverName != null && { serverName: input.serverName.trim() || null }),
    ...(input.networkMapping != null && {
      networkMapping: Object.fromEntries(input.networkMapping.map((m) => [m.source, m.target])),
    }),
  };
}

const encodeCursor = (v: JobView) =>
  Buffer.from(JSON.stringify([v.createdAt, v.job.jobId])).toString('base64url');

function decodeCursor(cursor: string): JobCursor {
  try {
    // Checked as what encodeCursor writes: a string of JSON (`"ab"`) would destructure too.
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (Array.isArray(parsed) && parsed.length === 2) {
      const [createdAt, jobId] = parsed as unknown[];
      if (typeof createdAt === 'string' && typeof jobId === 'string') return { createdAt, jobId };
    }
  } catch {
    // answered below
  }
  throw gatewayError('BAD_USER_INPUT', `not a cursor this API gave: ${cut(cursor)}`);
}

/**
 * A span per mutation, where the trace of what it sets going starts: the command it publishes
 * carries the span's context, so the services that carry it out continue the same trace.
 */
type SendJobRequest = (
  actor: Actor,
  jobId: string,
  reason: string | undefined,
  options?: Partial<MigrationOptions>,
) => Promise<CommandOutcome>;

interface RequestArgs {
  readonly reason?: string | null;
  readonly options?: OptionsInput | null;
}

/** A mutation asking something of one job (cancel, retry, roll back again), with its reason (and a retry's options). */
const jobRequest =
  (name: string, send: SendJobRequest) =>
  (
    _root: unknown,
    { id, reason, options }: RequestArgs & { id: string },
    context: MercuriusContext,
  ): Promise<CommandOutcome> =>
    mutation(
      name,
      () =>
        send(
          actorOf(context),
          id,
          reason ?? undefined,
          options ? migrationOptions(options) : undefined,
        ),
      id,
    );

/** At most this many jobs in one bulk request: a wave, not the whole estate by mistake. */
const MAX_BULK = 500;

/**
 * The same request of many jobs at once, each job's answer in the list (in the order asked). A
 * job whose service did not answer says so in its outcome; bad input refuses the whole request.
 */
const jobsRequest =
  (name: string, send: SendJobRequest) =>
  (
    _root: unknown,
    { ids, reason, options }: RequestArgs & { ids: string[] },
    context: MercuriusContext,
  ): Promise<CommandOutcome[]> =>
    mutation(name, async () => {
      const unique = [...new Set(ids)];
      if (unique.length === 0 || unique.length > MAX_BULK)
        throw gatewayError('BAD_USER_INPUT', `give 1 to ${MAX_BULK} job ids, not ${unique.length}`);
      const actor = actorOf(context);
      const chosen = options ? migrationOptions(options) : undefined;
      return Promise.all(
        unique.map((id) =>
          send(actor, id, reason ?? undefined, chosen).catch((error: unknown) => {
            if ((error as { extensions?: { code?: string } }).extensions?.code !== 'UNAVAILABLE')
              throw error;
            return { commandId: '', jobId: id, accepted: false, reason: (error as Error).message };
          }),
        ),
      );
    });

const mutation = <T>(name: string, fn: () => Promise<T>, jobId?: string): Promise<T> =>
  inSpan(
    `graphql.mutation ${name}`,
    {
      kind: SpanKind.SERVER,
      attributes: {
        'graphql.operation.type': 'mutation',
        'graphql.operation.name': name,
        ...(jobId === undefined ? {} : { 'ferry.job.id': jobId }),
      },
    },
    fn,
  );
