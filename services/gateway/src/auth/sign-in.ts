import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as oidc from 'openid-client';
import { UnauthenticatedError, type Person } from './bearer.ts';
import { ROLES, type Role } from './roles.ts';
import type { Sealer } from './seal.ts';
import { signInPage } from './sign-in-page.ts';

const SESSION_COOKIE = 'ferry_session';
const SIGN_IN_COOKIE = 'ferry_sign_in';
/** A working day: then the console asks to sign in again. */
const SESSION_SECONDS = 8 * 3600;
/** A sign-in at the provider must come back within this. */
const SIGN_IN_SECONDS = 600;
/** A WebSocket ticket is used at once, by the page that asked for it. */
const TICKET_SECONDS = 60;

export const LOCAL_ADMIN: Person = {
  subject: 'local-admin',
  name: 'Local administrator',
  roles: ['admin'],
};

export interface SignInOptions {
  readonly sealer: Sealer;
  /** The OpenID provider people sign in at (authorization code + PKCE), and its access tokens' check. */
  readonly provider?: {
    readonly config: oidc.Configuration;
    readonly verify: (token: string) => Promise<Person>;
    /** Asked for as the access token's resource, when the provider needs telling. */
    readonly resource?: string | undefined;
  };
  /** The local administrator's password (one machine, no provider). */
  readonly localAdminPassword?: string;
}

/**
 * The console's sign-in: at the OpenID provider (authorization code with PKCE), or as the local
 * administrator with a password. A signed-in person's session is a sealed, HttpOnly, SameSite
 * cookie; a page's WebSocket says who it is with a short ticket from /auth/me at connection_init.
 */
export class SignIn {
  constructor(private readonly options: SignInOptions) {
    if (!options.provider && options.localAdminPassword === undefined)
      throw new Error('sign-in needs an OpenID provider or a local administrator');
  }

  /** The person a request's session cookie names, if it is this gateway's and not expired. */
  async personOf(cookieHeader: string | undefined): Promise<Person | undefined> {
    const sealed = cookiesOf(cookieHeader).get(SESSION_COOKIE);
    return sealed ? personIn(await this.options.sealer.open('session', sealed)) : undefined;
  }

  /** The person a WebSocket ticket names, or why not. */
  async personOfTicket(ticket: string): Promise<Person> {
    const person = personIn(await this.options.sealer.open('ticket', ticket));
    if (!person) throw new UnauthenticatedError('the ticket has expired: reload the page');
    return person;
  }

  register(fastify: FastifyInstance): void {
    fastify.get('/auth/me', async (request, reply) => {
      const person = await this.personOf(request.headers.cookie);
      void reply.header('cache-control', 'no-store');
      return {
        signIn: this.options.provider ? 'oidc' : 'local',
        person: person ?? null,
        ticket: person ? await this.seal('ticket', person, TICKET_SECONDS) : null,
      };
    });
    fastify.get('/auth/login', (request, reply) =>
      this.options.provider
        ? this.toProvider(request, reply)
        : reply.type('text/html').send(signInPage({ error: null })),
    );
    fastify.get('/auth/callback', (request, reply) => this.fromProvider(request, reply));
    fastify.post('/auth/local', (request, reply) => this.local(request, reply));
    fastify.post('/auth/logout', async (request, reply) => {
      await reply.header('set-cookie', cookie(request, SESSION_COOKIE, '', 0)).redirect('/', 303);
    });
  }

  private async toProvider(request: FastifyRequest, reply: FastifyReply) {
    const provider = this.options.provider as NonNullable<SignInOptions['provider']>;
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(provider.config, {
      redirect_uri: `${originOf(request)}/auth/callback`,
      scope: 'openid profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...(provider.resource && { resource: provider.resource }),
    });
    const pending = await this.options.sealer.seal(
      'sign-in',
      { verifier, state, nonce },
      SIGN_IN_SECONDS,
    );
    await reply
      .header('set-cookie', cookie(request, SIGN_IN_COOKIE, pending, SIGN_IN_SECONDS))
      .redirect(url.href, 303);
  }

  private async fromProvider(request: FastifyRequest, reply: FastifyReply) {
    const provider = this.options.provider;
    if (!provider) return reply.code(404).send({ message: 'not found', statusCode: 404 });
    const sealed = cookiesOf(request.headers.cookie).get(SIGN_IN_COOKIE);
    const pending = sealed ? await this.options.sealer.open('sign-in', sealed) : undefined;
    const failed = (why: string) =>
      reply
        .code(400)
        .header('set-cookie', cookie(request, SIGN_IN_COOKIE, '', 0))
        .type('text/html')
        .send(signInPage({ error: why, retry: true }));
    if (!pending) return failed('this sign-in was not started here, or took too long');
    let person: Person;
    try {
      const tokens = await oidc.authorizationCodeGrant(
        provider.config,
        new URL(request.url, originOf(request)),
        {
          pkceCodeVerifier: String(pending['verifier']),
          expectedState: String(pending['state']),
          expectedNonce: String(pending['nonce']),
          idTokenExpected: true,
        },
      );
      person = await provider.verify(tokens.access_token);
    } catch (error) {
      request.log.warn({ err: error }, 'sign-in at the provider failed');
      return failed(
        error instanceof UnauthenticatedError
          ? error.message
          : `the provider's answer could not be used (${(error as Error).name})`,
      );
    }
    await reply
      .header('set-cookie', [
        cookie(request, SIGN_IN_COOKIE, '', 0),
        cookie(request, SESSION_COOKIE, await this.seal('session', person), SESSION_SECONDS),
      ])
      .redirect('/', 303);
  }

  private async local(request: FastifyRequest, reply: FastifyReply) {
    const expected = this.options.localAdminPassword;
    const body = request.body;
    const given =
      typeof body === 'string'
        ? new URLSearchParams(body).get('password')
        : (body as { password?: unknown } | undefined)?.password;
    if (expected === undefined) return reply.code(404).send({ message: 'not found' });
    if (typeof given !== 'string' || !samePassword(given, expected)) {
      // Slow to answer a wrong password: guessing takes its time.
      await new Promise((r) => setTimeout(r, 500));
      return reply
        .code(401)
        .type('text/html')
        .send(signInPage({ error: 'that is not the password' }));
    }
    await reply
      .header(
        'set-cookie',
        cookie(request, SESSION_COOKIE, await this.seal('session', LOCAL_ADMIN), SESSION_SECONDS),
      )
      .redirect('/', 303);
  }

  private seal(purpose: 'session' | 'ticket', person: Person, ttl = SESSION_SECONDS) {
    return this.options.sealer.seal(
      purpose,
      { sub: person.subject, name: person.name, roles: [...person.roles] },
      ttl,
    );
  }
}

function personIn(payload: Record<string, unknown> | undefined): Person | undefined {
  if (!payload || typeof payload['sub'] !== 'string') return undefined;
  const roles = Array.isArray(payload['roles'])
    ? payload['roles'].filter((r): r is Role => ROLES.includes(r as Role))
    : [];
  return { subject: payload['sub'], name: String(payload['name'] ?? payload['sub']), roles };
}

/** Compared by digest, in constant time: neither length nor content shows in the timing. */
function samePassword(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function cookiesOf(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) out.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  return out;
}

/** HttpOnly and SameSite=Lax (it must come back on the provider's redirect); Secure over HTTPS. */
function cookie(request: FastifyRequest, name: string, value: string, maxAge: number): string {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  return `${name}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure}`;
}

const originOf = (request: FastifyRequest) => `${request.protocol}://${request.headers.host}`;
