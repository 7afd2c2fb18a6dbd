import { EncryptJWT, jwtDecrypt, type JWTPayload } from 'jose';

/** What a sealed value is for: one kind is never taken for another. */
export type SealPurpose = 'session' | 'sign-in' | 'ticket';

/**
 * Values the gateway gives the browser and takes back (cookies, WebSocket tickets), encrypted and
 * authenticated with its key (JWE, dir + A256GCM): unreadable and unforgeable outside the gateway,
 * and stateless, so that replicas sharing the key share sessions.
 */
export class Sealer {
  /** A256GCM's key: the first 32 bytes of the one given. */
  private readonly key: Uint8Array;

  constructor(key: Uint8Array) {
    if (key.byteLength < 32) throw new Error('a sealing key needs at least 32 bytes');
    this.key = key.subarray(0, 32);
  }

  seal(purpose: SealPurpose, value: JWTPayload, ttlSeconds: number): Promise<string> {
    return new EncryptJWT({ ...value, purpose })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .encrypt(this.key);
  }

  /** The value, or undefined when it is not this gateway's, not for `purpose`, or expired. */
  async open(purpose: SealPurpose, sealed: string): Promise<JWTPayload | undefined> {
    try {
      const { payload } = await jwtDecrypt(sealed, this.key);
      return payload['purpose'] === purpose ? payload : undefined;
    } catch {
      return undefined;
    }
  }
}
