import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Sealer } from './seal.ts';

describe('Sealer', () => {
  const sealer = new Sealer(randomBytes(32));

  it('opens what it sealed, for the same purpose only', async () => {
    const sealed = await sealer.seal('session', { sub: 'ann' }, 60);
    expect(await sealer.open('session', sealed)).toMatchObject({ sub: 'ann' });
    expect(await sealer.open('ticket', sealed)).toBeUndefined();
    expect(sealed).not.toContain('ann');
  });

  it("refuses another key's seal, a changed one, and an expired one", async () => {
    const other = await new Sealer(randomBytes(32)).seal('session', { sub: 'ann' }, 60);
    expect(await sealer.open('session', other)).toBeUndefined();
    const sealed = await sealer.seal('session', { sub: 'ann' }, 60);
    const parts = sealed.split('.');
    parts[3] = `${parts[3]?.startsWith('A') ? 'B' : 'A'}${parts[3]?.slice(1)}`;
    expect(await sealer.open('session', parts.join('.'))).toBeUndefined();
    const expired = await sealer.seal('session', { sub: 'ann' }, -10);
    expect(await sealer.open('session', expired)).toBeUndefined();
    expect(await sealer.open('session', 'not a seal')).toBeUndefined();
  });

  it('needs a key of 32 bytes or more', () => {
    expect(() => new Sealer(randomBytes(16))).toThrow(/32 bytes/);
  });
});
