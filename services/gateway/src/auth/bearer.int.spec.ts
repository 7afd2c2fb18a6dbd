import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FERRY_AUDIENCE,
  OTHER_AUDIENCE,
  startIdentityProvider,
  type IdentityProvider,
} from '../testing/identity-provider.ts';
import { bearerVerifier, discoverProvider, type Person } from './bearer.ts';

describe('bearer tokens, checked against a real OpenID provider on loopback', () => {
  let idp: IdentityProvider;
  let verify: (token: string) => Promise<Person>;
  beforeAll(async () => {
    idp = await startIdentityProvider();
    const options = {
      issuer: idp.issuer,
      clientId: 'ferry',
      audience: FERRY_AUDIENCE,
      rolesClaim: 'roles',
    };
    verify = bearerVerifier(await discoverProvider(options), options);
  });
  afterAll(async () => idp?.close());

  it('names the person and their roles from a valid token', async () => {
    const token = await idp.token('operator');
    expect(await verify(token)).toEqual({
      subject: decodeJwt(token).sub,
      name: 'test operator',
      roles: ['operator'],
    });
    expect((await verify(await idp.token('nobody'))).roles).toEqual([]);
  });

  it('refuses an expired token, one for another audience, a forged or altered one', async () => {
    const expired = await idp.token('expired');
    await new Promise((r) => setTimeout(r, 2_100));
    await expect(verify(expired)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'the token has expired: sign in again',
    });
    await expect(verify(await idp.token('admin', OTHER_AUDIENCE))).rejects.toMatchObject({
      message: expect.stringMatching(/not for Ferry \(aud/),
    });
    const [header, payload, signature] = (await idp.token('viewer')).split('.');
    const altered = Buffer.from(
      JSON.stringify({ ...decodeJwt(`${header}.${payload}.${signature}`), roles: ['ferry-admin'] }),
    ).toString('base64url');
    await expect(verify(`${header}.${altered}.${signature}`)).rejects.toMatchObject({
      message: expect.stringMatching(/cannot be trusted/),
    });
    await expect(verify('not-a-token')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
