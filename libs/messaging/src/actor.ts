import { hostname, userInfo } from 'node:os';
import type { Actor } from '@ferry/contracts';
import type { Identity } from './identities.ts';

/** A command a Ferry identity sends on its own (a schedule, a watchdog), not for a person. */
export const systemActor = (identity: Identity, name?: string): Actor => ({
  kind: 'system',
  id: identity,
  ...(name && { name }),
});

/** What the CLI sends as: the other systems' identity, named for who ran it where. */
export function cliActor(): Actor {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    // A container's user with no passwd entry.
    user = process.env['USER'] ?? String(process.getuid?.() ?? 'unknown');
  }
  return systemActor('client', `${user}@${hostname()}`.slice(0, 256));
}
