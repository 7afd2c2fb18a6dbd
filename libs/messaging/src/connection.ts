import { readFileSync } from 'node:fs';
import {
  connect,
  credsAuthenticator,
  nkeyAuthenticator,
  type ConnectionOptions,
  type NatsConnection,
} from '@nats-io/transport-node';
import { inboxPrefix, type Identity } from './identities.ts';

/** Who connects and how the connection is secured, in NATS's own terms (as `nats --nkey --tlsca …`). */
export interface NatsSecurity {
  /** A file holding the identity's nkey seed (NATS_NKEY). */
  readonly nkeyFile?: string | undefined;
  /** A credentials file, JWT and seed, as `nsc` makes them (NATS_CREDS). */
  readonly credsFile?: string | undefined;
  /** The CA that signed the server's certificate (NATS_CA): the connection is TLS. */
  readonly caFile?: string | undefined;
  /** A client certificate and its key, for servers that verify clients (NATS_CERT, NATS_KEY). */
  readonly certFile?: string | undefined;
  readonly keyFile?: string | undefined;
}

export interface ConnectOptions {
  /** One URL, or several comma-separated for a cluster (NATS_URL). */
  readonly url: string;
  /** Shows in the server's connection list: the service and its replica. */
  readonly name: string;
  /** Who this is in Ferry: its replies come to that identity's own inbox prefix. */
  readonly identity?: Identity;
  readonly security?: NatsSecurity;
  /** Fail at once when no server answers, and after a few reconnects: for a command-line tool. Default false. */
  readonly failFast?: boolean;
}

/** A connection that reconnects forever (unless `failFast`): a NATS restart must never end a service. */
export function connectNats(options: ConnectOptions): Promise<NatsConnection> {
  return connect({
    servers: options.url.split(',').map((s) => s.trim()),
    name: options.name,
    maxReconnectAttempts: options.failFast ? 10 : -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: !options.failFast,
    timeout: 5000,
    // Else every request and its timer make an Error for its stack, whether it fails or not: 4 %
    // of the jobs service's CPU in the pipeline bench. Ferry's errors carry their context in logs.
    noAsyncTraces: true,
    ...(options.identity ? { inboxPrefix: inboxPrefix(options.identity) } : {}),
    ...securityOptions(options.security ?? {}),
  });
}

/** The settings that say who a process is on NATS and how its connection is secured. */
export const NATS_SECURITY_SETTINGS = [
  'NATS_NKEY',
  'NATS_CREDS',
  'NATS_CA',
  'NATS_CERT',
  'NATS_KEY',
] as const;

/** The settings of a process's connection: NATS_NKEY or NATS_CREDS, NATS_CA, NATS_CERT, NATS_KEY. */
export function natsSecurity(config: {
  readonly NATS_NKEY?: string | undefined;
  readonly NATS_CREDS?: string | undefined;
  readonly NATS_CA?: string | undefined;
  readonly NATS_CERT?: string | undefined;
  readonly NATS_KEY?: string | undefined;
}): NatsSecurity {
  return {
    nkeyFile: config.NATS_NKEY,
    credsFile: config.NATS_CREDS,
    caFile: config.NATS_CA,
    certFile: config.NATS_CERT,
    keyFile: config.NATS_KEY,
  };
}

/** The nats.js connection options for these credentials and TLS files. */
export function securityOptions(security: NatsSecurity): Partial<ConnectionOptions> {
  const { nkeyFile, credsFile, caFile, certFile, keyFile } = security;
  // Read at each (re)connection: a rotated file is picked up without a restart.
  const authenticator = credsFile
    ? credsAuthenticator(() => readFileSync(credsFile))
    : nkeyFile
      ? nkeyAuthenticator(() => new TextEncoder().encode(readFileSync(nkeyFile, 'utf8').trim()))
      : undefined;
  const tls =
    caFile || certFile
      ? {
          ...(caFile ? { caFile } : {}),
          ...(certFile ? { certFile } : {}),
          ...(keyFile ? { keyFile } : {}),
        }
      : undefined;
  return { ...(authenticator ? { authenticator } : {}), ...(tls ? { tls } : {}) };
}

export type { NatsConnection };
