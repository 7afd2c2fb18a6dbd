import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { natsWithStreams } from '@ferry/stages/testing';
import {
  graphql,
  startGatewayProcess,
  subscriber,
  type GatewayProcess,
} from '../testing/gateway-client.ts';
import {
  FERRY_AUDIENCE,
  OTHER_AUDIENCE,
  startIdentityProvider,
  type IdentityProvider,
} from '../testing/identity-provider.ts';
import { OPERATION_ROLES, permits, type Role } from './roles.ts';

/** One request per operation: allowed ones answer at once (a read, a bad id, an empty selection). */
const OPERATIONS: Readonly<Record<string, string>> = {
  'Query.inventory': '{ inventory { __typename } }',
  'Query.sources': '{ sources { __typename } }',
  'Query.unreadableVms': '{ unreadableVms { __typename } }',
  'Query.migrations': '{ migrations(first: 1) { __typename } }',
  'Query.migration': '{ migration(id: "job-none") { __typename } }',
  'Query.health': '{ health { __typename } }',
  'Query.quarantine': '{ quarantine { __typename } }',
  'Mutation.refreshInventory': 'mutation { refreshInventory { __typename } }',
  'Mutation.migrate': 'mutation { migrate(vmKeys: []) { __typename } }',
  'Mutation.cancelMigration': 'mutation { cancelMigration(id: "!") { __typename } }',
  'Mutation.retryMigration': 'mutation { retryMigration(id: "!") { __typename } }',
  'Mutation.rerunRollback': 'mutation { rerunRollback(id: "!") { __typename } }',
};

describe('sign-in at the gateway: every operation × every kind of caller, on a real OpenID provider', () => {
  let idp: IdentityProvider;
  let nats: Awaited<ReturnType<typeof natsWithStreams>>;
  let gateway: GatewayProcess;
  const dir = mkdtempSync(join(tmpdir(), 'ferry-gateway-sign-in-'));
  const tokens = new Map<string, string | undefined>();
  beforeAll(async () => {
    idp = await startIdentityProvider();
    nats = await natsWithStreams();
    gateway = await startGatewayProcess({
      NATS_URL: nats.server.url,
      LOG_DIR: join(dir, 'logs'),
      OPENSTACK_CLOUD_NAME: 'ferry-test-none',
      CONSOLE_DIR: join(dir, 'no-console'),
      OIDC_ISSUER: idp.issuer,
      OIDC_AUDIENCE: FERRY_AUDIENCE,
    });
    tokens.set('no token', undefined);
    tokens.set('expired', await idp.token('expired'));
    tokens.set('wrong audience', await idp.token('admin', OTHER_AUDIENCE));
    for (const role of ['viewer', 'operator', 'admin'] as const)
      tokens.set(role, await idp.token(role));
    await new Promise((r) => setTimeout(r, 1_100)); // the expired one expires
  }, 120_000);
  afterAll(async () => {
    await gateway?.process.stop();
    await nats?.close();
    await idp?.close();
    rmSync(dir, { recursive: true, force: true });
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
    // A viewer reads (6), an operator also acts (11), an admin also sees the quarantine (12).
    expect(table.filter((line) => line.endsWith('allowed')).length).toBe(6 + 11 + 12);
  }, 120_000);

  it('a WebSocket needs a token at connection_init, and a viewer may subscribe', async () => {
    await expect(subscriber(gateway)).rejects.toThrow(/closed/);
    await expect(
      subscriber(gateway, { authorization: `Bearer ${tokens.get('expired')}` }),
    ).rejects.toThrow(/closed/);
    const client = await subscriber(gateway, { authorization: `Bearer ${tokens.get('viewer')}` });
    await client.dispose();
  });
});
