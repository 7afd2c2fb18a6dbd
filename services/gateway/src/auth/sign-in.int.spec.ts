import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { COMMAND_SUBJECTS, decodeCommand, STREAMS } from '@ferry/contracts';
import { natsWithStreams } from '@ferry/stages/testing';
import { graphql, startGatewayWithSignIn, subscriber } from '../testing/gateway-client.ts';
import {
  OTHER_AUDIENCE,
  startIdentityProvider,
  type IdentityProvider,
} from '../testing/identity-provider.ts';
import { OPERATION_ROLES, permits, type Role } from './roles.ts';

const GATEWAY_DIR = resolve(import.meta.dirname, '..', '..');

/** One request per operation: allowed ones answer at once (a read, a bad id, an empty selection). */
const OPERATIONS: Readonly<Record<string, string>> = {
  'Query.inventory': '{ inventory { __typename } }',
  'Query.sources': '{ sources { __typename } }',
  'Query.unreadableVms': '{ unreadableVms { __typename } }',
  'Query.migrations': '{ migrations(first: 1) { __typename } }',
  'Query.migration': '{ migration(id: "job-none") { __typename } }',
  'Query.health': '{ health { __typename } }',
  'Query.quarantine': '{ quarantine { __typename } }',
  'Query.deadLetters': '{ deadLetters { __typename } }',
  'Mutation.refreshInventory': 'mutation { refreshInventory { __typename } }',
  'Mutation.migrate': 'mutation { migrate(vmKeys: []) { __typename } }',
  'Mutation.cancelMigration': 'mutation { cancelMigration(id: "!") { __typename } }',
  'Mutation.retryMigration': 'mutation { retryMigration(id: "!") { __typename } }',
  'Mutation.cancelMigrations': 'mutation { cancelMigrations(ids: ["!"]) { __typename } }',
  'Mutation.retryMigrations': 'mutation { retryMigrations(ids: ["!"]) { __typename } }',
  'Mutation.rerunRollback': 'mutation { rerunRollback(id: "!") { __typename } }',
  'Mutation.replayDeadLetters': 'mutation { replayDeadLetters(seqs: [999999]) { __typename } }',
};

describe('sign-in at the gateway: every operation × every kind of caller, on a real OpenID provider', () => {
  let idp: IdentityProvider;
  let nats: Awaited<ReturnType<typeof natsWithStreams>>;
  let gateway: Awaited<ReturnType<typeof startGatewayWithSignIn>>;
  const tokens = new Map<string, string | undefined>();
  beforeAll(async () => {
    idp = await startIdentityProvider();
    nats = await natsWithStreams();
    gateway = await startGatewayWithSignIn({ NATS_URL: nats.server.url }, idp.issuer, {
      LOG_LEVEL: 'debug',
      // An operator asks 7 mutations in the table below, an admin 8 and one more naming the
      // person: 9 each at the most, so that the limit's test below finds the operator's tenth refused.
      GATEWAY_MUTATIONS_PER_MINUTE: '9',
    });
    tokens.set('no token', undefined);
    tokens.set('expired', await idp.token('expired'));
    tokens.set('wrong audience', await idp.token('admin', OTHER_AUDIENCE));
    for (const role of ['viewer', 'operator', 'admin'] as const)
      tokens.set(role, await idp.token(role));
    await new Promise((r) => setTimeout(r, 1_100)); // the expired one expires
  }, 120_000);
  afterAll(async () => {
    await gateway?.stop();
    await nats?.close();
    await idp?.close();
  });

  it('allows each operation to the roles that may use it, and refuses everyone else with a code', async () => {
    expect(Object.keys(OPERATIONS).sort()).toEqual(
      Object.keys(OPERATION_ROLES)
        .filter((o) => !o.startsWith('Subscription.'))
        .sort(),
    );
    const table: string[] = [];
    for (const [operation, query] of Object.entries(OPERATIONS))
      for (const [caller, token] of tokens) {
        const { body } = await graphql(
          gateway,
          query,
          {},
          token ? { authorization: `Bearer ${token}` } : {},
        );
        const code = (body.errors?.[0]?.extensions?.code as string | undefined) ?? 'ok';
        const role = caller as Role;
        const expected = !['viewer', 'operator', 'admin'].includes(caller)
          ? 'UNAUTHENTICATED'
          : permits([role], OPERATION_ROLES[operation] as Role)
            ? 'allowed'
            : 'FORBIDDEN';
        const got = code === 'UNAUTHENTICATED' || code === 'FORBIDDEN' ? code : 'allowed';
        table.push(
          `${operation} × ${caller}: ${got}${got === expected ? '' : ` (expected ${expected})`}`,
        );
      }
    expect(table.filter((line) => line.includes('expected'))).toEqual([]);
    // A viewer reads (6), an operator also acts (13), an admin also sees the quarantine and the
    // dead letters and replays them (16).
    expect(table.filter((line) => line.endsWith('allowed')).length).toBe(6 + 13 + 16);
  }, 120_000);

  it('a WebSocket needs a token at connection_init, and a viewer may subscribe', async () => {
    await expect(subscriber(gateway)).rejects.toThrow(/closed/);
    await expect(
      subscriber(gateway, { authorization: `Bearer ${tokens.get('expired')}` }),
    ).rejects.toThrow(/closed/);
    const client = await subscriber(gateway, { authorization: `Bearer ${tokens.get('viewer')}` });
    await client.dispose();
  });

  it('names the person who asked on the command it sends: their subject and name', async () => {
    const { body } = await graphql(
      gateway,
      OPERATIONS['Mutation.refreshInventory'] as string,
      {},
      { authorization: `Bearer ${tokens.get('admin')}` },
    );
    expect(body.errors).toBeUndefined();
    const jsm = await jetstreamManager(await nats.connect());
    const sent = await jsm.streams.getMessage(STREAMS.commands, {
      last_by_subj: COMMAND_SUBJECTS.RefreshInventory,
    });
    const decoded = decodeCommand(
      COMMAND_SUBJECTS.RefreshInventory,
      sent?.data ?? new Uint8Array(),
    );
    if (!decoded.ok) throw new Error('the gateway sent a command its consumer refuses');
    // The provider's subject of a client-credentials token is the client's id.
    expect(decoded.value.metadata.actor).toEqual({
      kind: 'person',
      id: 'admin',
      name: 'test admin',
    });
  });

  it("limits each person's mutations a minute, others' not", async () => {
    const ask = async (caller: string) =>
      (
        await graphql(
          gateway,
          OPERATIONS['Mutation.cancelMigration'] as string,
          {},
          {
            authorization: `Bearer ${tokens.get(caller)}`,
          },
        )
      ).body.errors?.[0]?.extensions?.code;
    expect(await ask('operator')).not.toBe('RATE_LIMITED');
    expect(await ask('operator')).not.toBe('RATE_LIMITED');
    expect(await ask('operator')).toBe('RATE_LIMITED');
    expect(await ask('viewer')).toBe('FORBIDDEN');
  });

  it('refuses a page of another site: its WebSocket handshake and its mutations', async () => {
    const handshake = (origin: string) =>
      new Promise<number>((resolve, reject) => {
        const request = httpRequest(`${gateway.url}/api/graphql`, {
          headers: {
            connection: 'Upgrade',
            upgrade: 'websocket',
            'sec-websocket-version': '13',
            'sec-websocket-key': randomBytes(16).toString('base64'),
            'sec-websocket-protocol': 'graphql-transport-ws',
            origin,
          },
        });
        request.on('response', (response) => resolve(response.statusCode ?? 0));
        request.on('upgrade', (_response, socket) => {
          socket.destroy();
          resolve(101);
        });
        request.on('error', reject);
        request.end();
      });
    expect(await handshake('https://evil.example')).toBe(403);
    expect(await handshake(gateway.url)).toBe(101);
    const { status, body } = await graphql(
      gateway,
      OPERATIONS['Mutation.migrate'] as string,
      {},
      {
        authorization: `Bearer ${tokens.get('admin')}`,
        origin: 'https://evil.example',
      },
    );
    expect([status, body.errors?.[0]?.extensions?.code]).toEqual([403, 'FORBIDDEN']);
  });

  it('logs no token, even at debug level', () => {
    const logs = readdirSync(gateway.logDir)
      .map((f) => readFileSync(join(gateway.logDir, f), 'utf8'))
      .join('');
    expect(logs).toMatch(/"msg":"gateway started"/);
    const sent = [...tokens.values()].filter((t): t is string => t !== undefined);
    expect(sent.length).toBe(5);
    for (const token of sent) expect(logs.includes(token)).toBe(false);
    // Nor any part of one: a JWT's header and claims are dot-joined base64url.
    expect(logs).not.toMatch(/eyJ[\w-]{10,}\.eyJ[\w-]{10,}/);
  });

  it('will not listen beyond loopback without an identity provider, and says which setting', () => {
    const started = spawnSync('npm', ['--prefix', GATEWAY_DIR, 'run', '--silent', 'start'], {
      env: { ...process.env, GATEWAY_HOST: '0.0.0.0', OIDC_ISSUER: '', NATS_URL: nats.server.url },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(started.status).not.toBe(0);
    expect(started.stderr).toContain(
      'gateway: GATEWAY_HOST=0.0.0.0 listens beyond this machine, but no identity provider is configured: set OIDC_ISSUER',
    );
  });
});
