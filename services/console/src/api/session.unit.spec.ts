import { describe, expect, it } from 'vitest';
import { mayAct, mustSignIn, type Session } from './session.ts';

const person = (...roles: string[]) => ({ subject: 's', name: 'n', roles });

describe('what a session allows', () => {
  it('asks for sign-in only when sign-in is on and nobody is signed in', () => {
    expect(mustSignIn({ signIn: 'off', person: null, ticket: null })).toBe(false);
    expect(mustSignIn({ signIn: 'oidc', person: null, ticket: null })).toBe(true);
    expect(mustSignIn({ signIn: 'local', person: person('admin'), ticket: 't' })).toBe(false);
  });

  it('lets operators and admins act, viewers only look', () => {
    const signedIn = (...roles: string[]): Session => ({
      signIn: 'oidc',
      person: person(...roles),
      ticket: 't',
    });
    expect(mayAct(signedIn('viewer'))).toBe(false);
    expect(mayAct(signedIn('operator'))).toBe(true);
    expect(mayAct(signedIn('admin'))).toBe(true);
    expect(mayAct({ signIn: 'off', person: null, ticket: null })).toBe(true);
  });
});
