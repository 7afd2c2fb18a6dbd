import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { OperationDefinitionNode } from 'graphql';
import '@fastify/static';
import mercurius from 'mercurius';
import { MAX_MESSAGE_BYTES, STREAMS } from '@ferry/contracts';
import type { EventStore } from '@ferry/event-store';
import { readToolLog } from '@ferry/messaging';
import type { Logger } from '@ferry/observability';
import type { OpenStackHttp, OpenStackSession } from '@ferry/openstack';
import { UnauthenticatedError, type Person } from './auth/bearer.ts';
import { callerOf, guarded } from './auth/guard.ts';
import type { SignIn } from './auth/sign-in.ts';
import { originAllowed } from './auth/origin.ts';
import { RateLimit } from './auth/rate-limit.ts';
import { Commands } from './commands.ts';
import { DeadLetters } from './dead-letters.ts';
import { GatewayModule } from './gateway.module.ts';
import { costLimit } from './graphql/complexity.ts';
import { errorFormatter } from './graphql/errors.ts';
import { resolvers } from './graphql/resolvers.ts';
import { Health } from './health.ts';
import { gatewayMetrics, type GatewayMetrics } from './metrics.ts';
import { ProjectionSaves, type SaveOptions } from './read-model/projection-saves.ts';
import { Projections } from './read-model/projections.ts';
import type { Quarantine } from './read-model/quarantine.ts';

export const GRAPHQL_PATH = '/api/graphql';
/** The schema sits beside the sources; the built service reads it from there too. */
const SCHEMA = readFileSync(join(import.meta.dirname, '..', 'src', 'schema.graphql'), 'utf8');
/** Fields returning lists whose length the query does not bound: each counts 100 times. */
const LIST_FIELDS = new Set(['inventory', 'timeline', 'sources', 'unreadableVms', 'commits']);

export interface GatewayOptions {
  readonly nc: NatsConnection;
  readonly store: EventStore;
  readonly logger: Logger;
  readonly openstack: { session: OpenStackSession; http: OpenStackHttp };
  readonly host: string;
  readonly port: number;
  /** The console's built files; not served when the folder is missing. */
  readonly consoleDir: string;
  /** How long a mutation waits for its command's answer. */
  readonly answerTimeoutMs?: number;
  /** Where the store reports the commits it could not read. */
  readonly quarantine?: Quarantine;
  /**
   * Checks a bearer token (OpenID Connect): with it, every operation needs a signed-in person with
   * its role; without it, the gateway asks nobody (one machine's `npm start`, for now).
   */
  readonly verifyToken?: (token: string) => Promise<Person>;
  /** The console's sign-in (a provider's authorization code flow, or the local administrator). */
  readonly signIn?: SignIn;
  /** Mutations a signed-in person may ask a minute. */
  readonly mutationsPerMinute?: number;
  /** Other origins than its own whose pages may use the gateway (a console served elsewhere). */
  readonly allowedOrigins?: readonly string[];
  /** NATS's monitoring endpoint, for how full JetStream's store is (NATS_MONITOR_URL). */
  readonly natsMonitorUrl?: string;
  /** Where and how often the projections are saved; without it, every start folds the whole store. */
  readonly saves?: SaveOptions;
}

export interface RunningGateway {
  readonly url: string;
  readonly projections: Projections;
  close(): Promise<void>;
}

/**
 * The gateway: GraphQL, probes, metrics and the console on one Fastify server, answering GraphQL
 * once its projections are rebuilt from the store (so that its first answer is as good as any later one).
 */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { nc, store, logger } = options;
  const projections = new Projections(store, logger, options.quarantine);
  const health = new Health(nc, projections, options.openstack);
  const metrics = gatewayMetrics(projections, nc, options.natsMonitorUrl);
  const commands = new Commands(jetstream(nc), store, options.answerTimeoutMs ?? 30_000);
  const app = await NestFactory.create<NestFastifyApplication>(
    GatewayModule.register({ projections, nc, health, metrics }),
    // A 10,000-VM selection in one request, as large as the command it becomes.
    new FastifyAdapter({ bodyLimit: MAX_MESSAGE_BYTES }),
    { logger: false },
  );
  const auth = { verify: options.verifyToken, signIn: options.signIn };
  const guarding = auth.verify !== undefined || auth.signIn !== undefined;
  const allowedOrigins = options.allowedOrigins ?? [];
  const all = resolvers({
    projections,
    store,
    commands,
    health,
    deadLetters: new DeadLetters(nc, logger),
    toolLog: (jobId, last) => readToolLog(nc, jobId, last),
  });
  await app.register(mercurius as never, {
    schema: SCHEMA,
    resolvers: guarding ? guarded(all, new RateLimit(options.mutationsPerMinute ?? 60)) : all,
    ...(guarding
      ? {
          context: (request: FastifyRequest) =>
            callerOf(request.headers.authorization, request.headers.cookie, auth),
        }
      : {}),
    path: GRAPHQL_PATH,
    graphiql: false,
    subscription: {
      keepAlive: 15_000,
      verifyClient: (
        info: { origin?: string; req: { headers: { host?: string } } },
        next: (ok: boolean, code?: number, message?: string) => void,
      ) =>
        originAllowed(info.origin, info.req.headers.host, allowedOrigins)
          ? next(true)
          : next(false, 403, 'this origin may not use Ferry'),
      // A WebSocket says who it is in its connection_init payload ({ authorization: 'Bearer …' },
      // or the console's 'Ticket …'): a cookie alone does not open one.
      ...(guarding
        ? {
            onConnect: async ({ payload }: { payload?: { authorization?: unknown } }) => {
              const caller = await callerOf(payload?.authorization, undefined, auth);
              return caller.person instanceof UnauthenticatedError ? false : caller;
            },
          }
        : {}),
    },
    queryDepth: 10,
    validationRules: [costLimit(50_000, LIST_FIELDS)],
    errorFormatter: errorFormatter(logger),
    jit: 1,
  });
  const fastify = app.getHttpAdapter().getInstance();
  instrument(fastify, metrics);
  if (options.signIn) options.signIn.register(fastify);
  // Sign-in off (one machine, nobody configured): the console is told so, and asks nobody.
  else fastify.get('/auth/me', () => ({ signIn: 'off', person: null, ticket: null }));
  if (existsSync(join(options.consoleDir, 'index.html'))) {
    app.useStaticAssets({ root: options.consoleDir, prefix: '/', wildcard: false });
    // The console routes in the browser: any other page is its index (Nest keeps the not-found handler).
    fastify.get('/*', (request, reply) =>
      request.url.startsWith('/api/')
        ? reply.code(404).send({ message: 'not found', statusCode: 404 })
        : reply.type('text/html').sendFile('index.html'),
    );
  } else logger.warn({ consoleDir: options.consoleDir }, 'the console is not built: not served');
  // A page of another site may not send changes with the user's credentials (CSRF).
  fastify.addHook('onRequest', async (request, reply) => {
    if (
      request.method !== 'GET' &&
      (request.url.startsWith('/api/') || request.url.startsWith('/auth/')) &&
      !originAllowed(request.headers.origin, request.headers.host, allowedOrigins)
    )
      await reply.code(403).send({
        errors: [{ message: 'this origin may not use Ferry', extensions: { code: 'FORBIDDEN' } }],
      });
  });
  // Until the projections have folded the store, GraphQL answers 503 (and /readyz says why): a
  // partial answer would show a world without the jobs not yet folded.
  fastify.addHook('onRequest', async (request, reply) => {
    if (!projections.caughtUp && request.url.startsWith(GRAPHQL_PATH))
      await reply.code(503).send({
        errors: [
          {
            message: 'the gateway is rebuilding its projections: ask again in a moment',
            extensions: { code: 'UNAVAILABLE' },
          },
        ],
      });
  });
  // Listening first: liveness and readiness answer while the store is folded.
  await app.listen(options.port, options.host);
  const saves =
    options.saves && new ProjectionSaves(projections, options.saves, storeIdentity(nc), logger);
  await saves?.load();
  await projections.catchUp();
  logger.info(
    {
      position: projections.position,
      from: projections.restored?.position ?? 0,
      jobs: projections.jobs.size,
      ms: Math.round(projections.rebuildMs ?? 0),
    },
    'projections rebuilt from the event store',
  );
  const following = new AbortController();
  const followed = projections.follow(following.signal);
  // The idle jobs' views packed, then saved when the start folded anything (the next start is
  // quick); both again from time to time.
  const kept = (async () => {
    await projections.packIdle();
    await saves?.save();
    await Promise.all([projections.keepPacked(following.signal), saves?.keep(following.signal)]);
  })();

  const address = fastify.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`,
    projections,
    async close() {
      following.abort();
      await app.close();
      await followed;
      await kept;
      await saves?.save();
    },
  };
}

/** The event store's stream, by its creation time, and its last position. */
function storeIdentity(nc: NatsConnection) {
  return async () => {
    const info = await (await jetstreamManager(nc)).streams.info(STREAMS.events);
    return { id: `${STREAMS.events}@${info.created}`, lastPosition: info.state.last_seq };
  };
}

/** Times each GraphQL operation and counts its outcome. */
function instrument(fastify: FastifyInstance, metrics: GatewayMetrics) {
  const started = new WeakMap<object, { at: number; operation: string }>();
  fastify.graphql.addHook('preExecution', async (_schema, document, context) => {
    const op = document.definitions.find(
      (d): d is OperationDefinitionNode => d.kind === 'OperationDefinition',
    );
    started.set(context, { at: performance.now(), operation: op?.operation ?? 'query' });
  });
  fastify.graphql.addHook('onResolution', async (execution, context) => {
    const s = started.get(context);
    if (!s) return;
    metrics.duration.observe({ operation: s.operation }, (performance.now() - s.at) / 1000);
    metrics.requests.inc({
      operation: s.operation,
      outcome: execution.errors?.length ? 'error' : 'ok',
    });
  });
}
