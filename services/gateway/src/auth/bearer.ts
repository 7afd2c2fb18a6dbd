import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { rolesOf, type Role } from './roles.ts';

/** Who asked, as the gateway knows them: the token's subject and name, and their roles at Ferry. */
export interface Person {
  readonly subject: string;
  readonly name: string;
  readonly roles: readonly Role[];
}

/** A token the gateway refuses, and why in words for the caller (never the token itself). */
export class UnauthenticatedError extends Error {
  readonly code = 'UNAUTHENTICATED';
}

export interface IdentityProviderOptions {
  /** The issuer's URL; its discovery document names its keys. */
  readonly issuer: string;
  /** The gateway's client id at the provider (the console signs in as it). */
  readonly clientId: string;
  /** What a token must be for: the gateway's audience (its client id unless said). */
  readonly audience: string;
  /** Where the roles are in a token's claims (`roles`, `realm_access.roles`, ...). */
  readonly rolesClaim: string;
}

/** Loopback issuers may be plain HTTP (a provider on this machine); any other must be HTTPS. */
const loopback = (url: URL) => ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);

/** The provider's configuration, found at its discovery document. */
export async function discoverProvider(options: IdentityProviderOptions) {
  const issuer = new URL(options.issuer);
  return oidc.discovery(issuer, options.clientId, undefined, undefined, {
    ...(issuer.protocol === 'http:' && loopback(issuer)
      ? { execute: [oidc.allowInsecureRequests] }
      : {}),
  });
}

/**
 * Checks bearer JWTs against the provider's published keys (its `jwks_uri`, fetched and cached by
 * jose): signature, issuer, audience, expiry. The person it names, or UnauthenticatedError.
 */
export function bearerVerifier(
  provider: oidc.Configuration,
  options: Pick<IdentityProviderOptions, 'audience' | 'rolesClaim'>,
): (token: string) => Promise<Person> {
  const metadata = provider.serverMetadata();
  if (!metadata.jwks_uri) throw new Error(`${metadata.issuer} publishes no jwks_uri`);
  const keys = createRemoteJWKSet(new URL(metadata.jwks_uri));
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: metadata.issuer,
        audience: options.audience,
        requiredClaims: ['sub', 'exp'],
      });
      const name = [payload['name'], payload['preferred_username'], payload.sub].find(
        (n): n is string => typeof n === 'string' && n !== '',
      ) as string;
      return {
        subject: payload.sub as string,
        name,
        roles: rolesOf(payload, options.rolesClaim),
      };
    } catch (error) {
      throw new UnauthenticatedError(refusal(error));
    }
  };
}

function refusal(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired: sign in again';
  if (error instanceof errors.JWTClaimValidationFailed)
    return `the token is not for Ferry (${error.claim} ${error.reason})`;
  if (error instanceof errors.JOSEError) return `the token cannot be trusted (${error.code})`;
  return 'the token cannot be checked now';
}
