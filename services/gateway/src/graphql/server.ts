import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  execute,
  getOperationAST,
  GraphQLError,
  parse,
  specifiedRules,
  subscribe,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Logger } from '@ferry/observability';
import { formatErrors } from './errors.ts';

export interface GraphQLServerOptions {
  readonly schema: GraphQLSchema;
  readonly path: string;
  /** Rules beside GraphQL's own (depth, cost). */
  readonly rules: readonly ValidationRule[];
  readonly logger: Logger;
  /** Whether to answer yet; until then, 503 `UNAVAILABLE` with `notReady` as the message. */
  readonly ready: () => boolean;
  readonly notReady: string;
  /** Told of each operation run over HTTP: its kind, its seconds, whether it had errors. */
  readonly observe?: (operation: string, seconds: number, failed: boolean) => void;
  /** Between WebSocket pings. */
  readonly keepAliveMs: number;
}

interface Body {
  readonly query?: unknown;
  readonly variables?: unknown;
  readonly operationName?: unknown;
}

/**
 * GraphQL on `path`: queries and mutations over HTTP (POST, or GET for queries), subscriptions over
 * graphql-ws on the same path; every error formatted the same way (`formatErrors`). Returns what
 * closes the WebSocket side.
 */
export function serveGraphQL(fastify: FastifyInstance, options: GraphQLServerOptions) {
  const { schema, path, logger } = options;
  const rules = [...specifiedRules, ...options.rules];
  const format = formatErrors(logger);
  const unavailable = {
    errors: [{ message: options.notReady, extensions: { code: 'UNAVAILABLE' } }],
  };

  const answer = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!options.ready()) return reply.code(503).send(unavailable);
    const body = (request.method === 'GET' ? request.query : request.body) as Body | undefined;
    const refuse = (status: number, errors: readonly GraphQLError[]) =>
      reply.code(status).send({ data: null, errors: format(errors).errors });
    if (typeof body?.query !== 'string') return refuse(400, [new GraphQLError('no query given')]);
    let document: DocumentNode;
    try {
      document = parse(body.query);
    } catch (error) {
      return refuse(400, [error as GraphQLError]);
    }
    const validation = validate(schema, document, rules);
    if (validation.length > 0) return refuse(400, validation);
    const operationName = typeof body.operationName === 'string' ? body.operationName : undefined;
    const operation = getOperationAST(document, operationName)?.operation;
    if (!operation) return refuse(400, [new GraphQLError('no operation to run in the query')]);
    if (operation === 'subscription')
      return refuse(400, [new GraphQLError(`subscriptions are served over graphql-ws at ${path}`)]);
    if (operation !== 'query' && request.method === 'GET')
      return refuse(405, [new GraphQLError(`a ${operation} is sent with POST`)]);
    let variableValues: Record<string, unknown> | undefined;
    try {
      variableValues = variablesOf(body.variables);
    } catch {
      return refuse(400, [new GraphQLError('the variables are not a JSON object')]);
    }
    const started = performance.now();
    const result = await execute({ schema, document, variableValues, operationName });
    options.observe?.(operation, (performance.now() - started) / 1000, !!result.errors?.length);
    if (!result.errors?.length) return reply.send(result);
    const { errors, request: refused } = format(result.errors);
    // An operation that ran answers 200 with its errors beside its data.
    return reply
      .code(refused && !result.data ? 400 : 200)
      .send({ data: result.data ?? null, errors });
  };
  fastify.route({ method: ['GET', 'POST'], url: path, handler: answer });

  const sockets = new WebSocketServer({ noServer: true });
  const server = useServer(
    {
      schema,
      validate: (s, document) => validate(s, document, rules),
      execute,
      subscribe,
      // The same formatting as over HTTP: a code on every error, never a stack.
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors?.length
          ? { data: result.data ?? null, errors: format(result.errors).errors }
          : undefined,
      onError: (_ctx, _id, _payload, errors) => format(errors).errors,
    },
    sockets,
    options.keepAliveMs,
  );
  fastify.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(request.url ?? '/', 'http://gateway').pathname !== path)
      return void socket.destroy();
    if (!options.ready()) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => sockets.emit('connection', ws, request));
  });
  return {
    close: async () => {
      await server.dispose();
      await new Promise((done) => sockets.close(done));
    },
  };
}

/** The variables as sent: an object, or JSON text of one (GET), or nothing. */
function variablesOf(value: unknown): Record<string, unknown> | undefined {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (parsed === undefined || parsed === null) return undefined;
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
  return parsed as Record<string, unknown>;
}
