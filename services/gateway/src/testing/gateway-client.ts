// The gateway as the tests meet it: its built service as a process, spoken to over HTTP and graphql-ws.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import { eventually, freePort, startBuiltService, type RunningService } from '@ferry/testing';
import { FERRY_AUDIENCE } from './identity-provider.ts';

export interface GatewayProcess {
  readonly url: string;
  readonly process: RunningService;
}

/** The built gateway started with `env`, on a free port; resolves once its projections are rebuilt. */
export async function startGatewayProcess(
  env: Readonly<Record<string, string>>,
): Promise<GatewayProcess> {
  const port = await freePort();
  const process = startBuiltService('gateway', { ...env, GATEWAY_PORT: String(port) });
  const url = `http://127.0.0.1:${port}`;
  await eventually(
    async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200,
    'gateway ready',
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  return { url, process };
}

/**
 * The built gateway asking people to sign in at `issuer` (tokens for Ferry's audience), on the
 * NATS that `natsEnv` names, with no cloud and no console; its logs in a folder of its own,
 * removed by stop().
 */
export async function startGatewayWithSignIn(
  natsEnv: Readonly<Record<string, string>>,
  issuer: string,
  env: Readonly<Record<string, string>> = {},
): Promise<GatewayProcess & { readonly logDir: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-gateway-'));
  const logDir = join(dir, 'logs');
  const gateway = await startGatewayProcess({
    ...natsEnv,
    LOG_DIR: logDir,
    // No cloud by that name: OpenStack shows as not configured.
    OPENSTACK_CLOUD_NAME: 'ferry-test-none',
    CONSOLE_DIR: join(dir, 'no-console'),
    OIDC_ISSUER: issuer,
    OIDC_AUDIENCE: FERRY_AUDIENCE,
    ...env,
  });
  return {
    ...gateway,
    logDir,
    stop: async () => {
      await gateway.process.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A JSON answer, read as the test expects it to be. */
export type Json = ReturnType<typeof JSON.parse>;

export async function graphql(
  gateway: { readonly url: string },
  query: string,
  variables: object = {},
  headers: Record<string, string> = {},
): Promise<{ status: number; body: { data?: Json; errors?: Json[] } }> {
  const response = await fetch(`${gateway.url}/api/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    body: (await response.json()) as { data?: Json; errors?: Json[] },
  };
}

/** The data of an answer that must have no errors: an error fails the test with its message. */
export async function dataOf(
  gateway: { readonly url: string },
  query: string,
  variables: object = {},
): Promise<Json> {
  const { body } = await graphql(gateway, query, variables);
  if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** A graphql-ws client of the gateway, connected when this resolves. */
export async function subscriber(
  gateway: { readonly url: string },
  connectionParams?: Record<string, unknown>,
): Promise<Client> {
  const client = createClient({
    url: `${gateway.url.replace('http', 'ws')}/api/graphql`,
    lazy: false,
    retryAttempts: 0,
    ...(connectionParams ? { connectionParams } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    client.on('connected', () => resolve());
    client.on('closed', (event) =>
      reject(new Error(`closed: ${(event as { code?: number }).code ?? '?'}`)),
    );
  });
  return client;
}

/** Every payload of a subscription, as it comes. */
export function collect<T>(client: Client, query: string): { readonly received: T[] } {
  const received: T[] = [];
  client.subscribe<T>(
    { query },
    {
      next: ({ data }) => {
        if (data) received.push(data as T);
      },
      error: () => undefined,
      complete: () => undefined,
    },
  );
  return { received };
}
