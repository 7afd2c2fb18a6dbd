import type { Server } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { freePort } from '@ferry/testing';

/** The gateway's audience at the test provider, and a resource that is someone else's. */
export const FERRY_AUDIENCE = 'urn:ferry';
export const OTHER_AUDIENCE = 'urn:other';

/** Test clients, each a kind of caller: its roles claim, and whether its tokens live one second. */
const CALLERS = {
  viewer: { roles: ['ferry-viewer'] },
  operator: { roles: ['ferry-operator'] },
  admin: { roles: ['ferry-admin'] },
  nobody: { roles: [] },
  expired: { roles: ['ferry-admin'], ttl: 1 },
} as const;
export type Caller = keyof typeof CALLERS;

/**
 * The console's client (OIDC_CLIENT_ID's default): public, authorization code with PKCE, back to
 * any loopback port's /auth/callback (a native client's loopback redirect, RFC 8252).
 */
export const CONSOLE_CLIENT = 'ferry';

/** People who sign in at the provider's login form (any password): their roles by name. */
export const PEOPLE = {
  'olga-operator': ['ferry-operator'],
  'vic-viewer': ['ferry-viewer'],
  'ada-admin': ['ferry-admin'],
} as const;

export interface IdentityProvider {
  readonly issuer: string;
  /** A JWT access token for `caller` (client credentials), for Ferry unless another audience is asked. */
  token(caller: Caller, audience?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * A real OpenID provider (`oidc-provider`) on a free loopback port, issuing JWT access tokens with a
 * `roles` claim to one client per kind of caller.
 */
export async function startIdentityProvider(): Promise<IdentityProvider> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const ttlOf = (clientId: string | undefined) =>
    (CALLERS[clientId as Caller] as { ttl?: number } | undefined)?.ttl ?? 600;
  // Its own signing key: the quick-start keys are for demos.
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const provider = new Provider(issuer, {
    jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'test' }] },
    clients: [
      ...Object.keys(CALLERS).map((caller) => ({
        client_id: caller,
        client_secret: `${caller}-secret`,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
      })),
      {
        client_id: CONSOLE_CLIENT,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1/auth/callback'],
      },
    ],
    // The provider's own login and consent forms (any password).
    findAccount: (_ctx, id) => ({
      accountId: id,
      claims: () => ({ sub: id, name: `test ${id}` }),
    }),
    claims: { openid: ['sub'], profile: ['name'] },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => FERRY_AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource, client) => ({
          scope: 'api',
          audience: resource,
          accessTokenFormat: 'jwt',
          accessTokenTTL: ttlOf(client.clientId),
        }),
      },
    },
    ttl: { ClientCredentials: (_ctx, _token, client) => ttlOf(client.clientId) },
    extraTokenClaims: (_ctx, token) => {
      const { clientId, accountId } = token as { clientId?: string; accountId?: string };
      if (accountId !== undefined)
        return {
          roles: [...(PEOPLE[accountId as keyof typeof PEOPLE] ?? [])],
          name: `test ${accountId}`,
        };
      return { roles: [...(CALLERS[clientId as Caller]?.roles ?? [])], name: `test ${clientId}` };
    },
  });
  const server: Server = await new Promise((resolve) => {
    const s = provider.listen(port, '127.0.0.1', () => resolve(s));
  });
  return {
    issuer,
    async token(caller, audience = FERRY_AUDIENCE) {
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${caller}:${caller}-secret`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          resource: audience,
          scope: 'api',
        }),
      });
      const body = (await response.json()) as { access_token?: string; error?: string };
      if (!body.access_token) throw new Error(`no token for ${caller}: ${JSON.stringify(body)}`);
      return body.access_token;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
