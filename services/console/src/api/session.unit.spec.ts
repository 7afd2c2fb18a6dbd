import { describe, expect, it } from 'vitest';
import { mayAct, mayAdminister, mustSignIn, type Session } from './session.ts';

const person = (...roles: string[]) => ({ subject: 's', name: 'n', roles });
const signedIn = (...roles: string[]): Session => ({
  signIn: 'oidc',
  person: person(...roles),
  ticket: 't',
});

describe('what a session allows', () => {
  it('asks for sign-in only when sign-in is on and nobody is signed in', () => {
    expect(mustSignIn({ signIn: 'off', person: null, ticket: null })).toBe(false);
    expect(mustSignIn({ signIn: 'oidc', person: null, ticket: null })).toBe(true);
    expect(mustSignIn({ signIn: 'local', person: person('admin'), ticket: 't' })).toBe(false);
  });

  it('lets operators and admins act, viewers only look', () => {
    expect(mayAct(signedIn('viewer'))).toBe(false);
    expect(mayAct(signedIn('operator'))).toBe(true);
    expect(mayAct(signedIn('admin'))).toBe(true);
    expect(mayAct({ signIn: 'off', person: null, ticket: null })).toBe(true);
  });

  it('shows the admin page to admins alone (to anyone where the gateway asks nobody)', () => {
    expect(mayAdminister(signedIn('viewer'))).toBe(false);
    expect(mayAdminister(signedIn('operator'))).toBe(false);
    expect(mayAdminister(signedIn('admin'))).toBe(true);
    expect(mayAdminister({ signIn: 'off', person: null, ticket: null })).toBe(true);
  });
});
