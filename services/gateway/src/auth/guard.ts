import type { Actor } from '@ferry/contracts';
import { systemActor } from '@ferry/messaging';
import type { IResolvers, MercuriusContext } from 'mercurius';
import { gatewayError } from '../graphql/errors.ts';
import { UnauthenticatedError, type Person } from './bearer.ts';
import type { RateLimit } from './rate-limit.ts';
import type { SignIn } from './sign-in.ts';
import { permits, roleNeeded } from './roles.ts';

/** What a request's context carries: who asked, or why that is not known. */
export interface Caller {
  readonly person: Person | UnauthenticatedError;
}

/** How the gateway knows people: bearer tokens of a provider, the console's sign-in, or both. */
export interface Authentication {
  readonly verify?: ((token: string) => Promise<Person>) | undefined;
  readonly signIn?: SignIn | undefined;
}

/**
 * Who asked: the person an `Authorization: Bearer …` token names (API clients), or a console
 * session's cookie, or a WebSocket's `Ticket …` from /auth/me; else why not.
 */
export async function callerOf(
  authorization: unknown,
  cookie: string | undefined,
  { verify, signIn }: Authentication,
): Promise<Caller> {
  const [, given, credential] =
    (typeof authorization === 'string' && /^(Bearer|Ticket)\s+(\S+)$/i.exec(authorization)) || [];
  const scheme = given?.toLowerCase();
  try {
    if (scheme === 'bearer' && credential) {
      if (!verify)
        throw new UnauthenticatedError('bearer tokens need an OpenID provider (OIDC_ISSUER)');
      return { person: await verify(credential) };
    }
    if (scheme === 'ticket' && credential && signIn)
      return { person: await signIn.personOfTicket(credential) };
    const person = await signIn?.personOf(cookie);
    return {
      person: person ?? new UnauthenticatedError('sign in: no token and no session was sent'),
    };
  } catch (error) {
    if (error instanceof UnauthenticatedError) return { person: error };
    throw error;
  }
}

/**
 * Who a request acts as: the person signed in, or (sign-in off: a gateway on loopback with no
 * identity provider) the gateway itself.
 */
export function actorOf(context: MercuriusContext): Actor {
  const person = (context as MercuriusContext & Partial<Caller>).person;
  if (person === undefined || person instanceof UnauthenticatedError) return systemActor('gateway');
  // Bounded as commands bound them: a provider's long name never makes a request invalid.
  const name = person.name.slice(0, 256);
  return { kind: 'person', id: person.subject.slice(0, 256), ...(name && { name }) };
}

/** The person in a context, allowed to do what `type.field` needs; else a typed refusal. */
function allowed(context: MercuriusContext, type: string, field: string): Person {
  const person = (context as MercuriusContext & Partial<Caller>).person;
  if (person === undefined || person instanceof UnauthenticatedError)
    throw gatewayError('UNAUTHENTICATED', person?.message ?? 'sign in first');
  const needed = roleNeeded(type, field);
  if (!permits(person.roles, needed))
    throw gatewayError('FORBIDDEN', `${type.toLowerCase()} ${field} needs the ${needed} role`);
  return person;
}

type Resolver = (root: unknown, args: unknown, context: MercuriusContext, info: unknown) => unknown;

/**
 * Every query, mutation and subscription field checks the caller's role before it runs; each
 * person's mutations are limited per minute.
 */
export function guarded(resolvers: IResolvers, mutations: RateLimit): IResolvers {
  const out: IResolvers = { ...resolvers };
  for (const type of ['Query', 'Mutation'] as const) {
    const fields = (resolvers[type] ?? {}) as Record<string, Resolver>;
    out[type] = Object.fromEntries(
      Object.entries(fields).map(([field, resolve]) => [
        field,
        (root: unknown, args: unknown, context: MercuriusContext, info: unknown) => {
          const person = allowed(context, type, field);
          if (type === 'Mutation' && !mutations.take(person.subject))
            throw gatewayError('RATE_LIMITED', 'too many changes asked this minute: wait a moment');
          return resolve(root, args, context, info);
        },
      ]),
    );
  }
  const subscriptions = (resolvers['Subscription'] ?? {}) as Record<
    string,
    { subscribe: Resolver; resolve?: Resolver }
  >;
  out['Subscription'] = Object.fromEntries(
    Object.entries(subscriptions).map(([field, s]) => [
      field,
      {
        ...s,
        subscribe: (root: unknown, args: unknown, context: MercuriusContext, info: unknown) => {
          allowed(context, 'Subscription', field);
          return s.subscribe(root, args, context, info);
        },
      },
    ]),
  );
  return out;
}
