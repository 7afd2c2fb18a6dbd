import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNatsServer, type NatsServer } from '@ferry/testing';
import { connectNats, securityOptions, type NatsConnection } from '../connection.ts';
import type { Identity } from '../identities.ts';
import { makeIdentities, type IdentityFiles } from '../identity-files.ts';

export interface SecureNats {
  readonly server: NatsServer;
  readonly files: IdentityFiles;
  /** A connection as `identity` (its nkey, the server's CA), closed with the server. */
  connectAs(identity: Identity): Promise<NatsConnection>;
  close(): Promise<void>;
}

/**
 * A real nats-server with the authorization and TLS every deployment of Ferry runs with: the
 * identities and permissions of identities.ts, made fresh in a temporary folder.
 */
export async function startSecureNats(): Promise<SecureNats> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-identities-'));
  const files = makeIdentities(dir);
  const connections: NatsConnection[] = [];
  const security = (identity: Identity) => ({ nkeyFile: files.seed(identity), caFile: files.ca });
  const server = await startNatsServer({
    // Inline: nats-server reads an include relative to the configuration's own folder.
    config: [readFileSync(files.serverConfig, 'utf8')],
    probe: securityOptions(security('admin')),
  });
  return {
    server,
    files,
    connectAs: async (identity) => {
      const nc = await connectNats({
        url: server.url,
        name: `test-${identity}`,
        identity,
        security: security(identity),
        failFast: true,
      });
      connections.push(nc);
      return nc;
    },
    close: async () => {
      await Promise.all(connections.map((nc) => nc.close().catch(() => undefined)));
      await server.remove();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
