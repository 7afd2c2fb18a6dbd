import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nkeys } from '@nats-io/transport-node';
import { authorizationConfig, IDENTITIES, type Identity } from './identities.ts';

/** Where a folder made by `makeIdentities` keeps what: nkey seeds, the CA, the server's TLS files. */
export interface IdentityFiles {
  readonly dir: string;
  /** The file holding an identity's nkey seed (NATS_NKEY), readable by its owner only. */
  seed(identity: Identity): string;
  /** The CA clients trust (NATS_CA). */
  readonly ca: string;
  /** A nats-server configuration fragment: TLS and every identity's permissions (`include` it). */
  readonly serverConfig: string;
  /** The TLS of a cluster's routes, for its `cluster` block: nodes with certificates of this CA only. */
  readonly clusterConfig: string;
}

/**
 * Makes (once) an nkey per identity, a CA and a server certificate for `hosts` under `dir`, and
 * writes (each time, from the permissions in identities.ts) the server's configuration fragment.
 * The seeds and keys never leave the folder: configurations name the files.
 */
export function makeIdentities(
  dir: string,
  hosts: readonly string[] = ['localhost', '127.0.0.1', '::1', 'nats-1', 'nats-2', 'nats-3'],
): IdentityFiles {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const seed = (identity: Identity) => join(dir, `${identity}.nk`);
  const users: Partial<Record<Identity, string>> = {};
  for (const identity of IDENTITIES) {
    if (!existsSync(seed(identity))) {
      writeFileSync(seed(identity), `${new TextDecoder().decode(nkeys.createUser().getSeed())}\n`, {
        mode: 0o600,
      });
    }
    const key = nkeys.fromSeed(
      new TextEncoder().encode(readFileSync(seed(identity), 'utf8').trim()),
    );
    users[identity] = key.getPublicKey();
  }
  const ca = join(dir, 'ca.pem');
  const caKey = join(dir, 'ca-key.pem');
  const cert = join(dir, 'server.pem');
  const key = join(dir, 'server-key.pem');
  if (!existsSync(ca) || !existsSync(caKey)) {
    openssl(
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
      ['-days', '3650', '-subj', '/CN=Ferry NATS CA', '-keyout', caKey, '-out', ca],
    );
  }
  if (!existsSync(cert) || !existsSync(key)) {
    const csr = join(dir, 'server.csr');
    const ext = join(dir, 'server.ext');
    const names = hosts.map((h) => (/^[\d.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
    // Routes between cluster nodes present it too, as clients of each other.
    writeFileSync(ext, `subjectAltName=${names}\nextendedKeyUsage=serverAuth,clientAuth\n`);
    openssl(
      ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
      ['-subj', `/CN=${hosts[0] ?? 'localhost'}`, '-keyout', key, '-out', csr],
    );
    openssl(
      ['x509', '-req', '-in', csr, '-CA', ca, '-CAkey', caKey, '-CAcreateserial'],
      ['-days', '825', '-extfile', ext, '-out', cert],
    );
  }
  for (const file of [caKey, key]) chmodSync(file, 0o600);
  const serverConfig = join(dir, 'nats-auth.conf');
  writeFileSync(
    serverConfig,
    `# Made by Ferry (libs/messaging/src/identity-files.ts) from identities.ts: do not edit.\n` +
      `tls {\n  cert_file: ${JSON.stringify(cert)}\n  key_file: ${JSON.stringify(key)}\n  timeout: 5\n}\n` +
      authorizationConfig(users),
  );
  const clusterConfig = join(dir, 'nats-cluster-tls.conf');
  writeFileSync(
    clusterConfig,
    `# Made by Ferry (libs/messaging/src/identity-files.ts): do not edit.\n` +
      `tls {\n  cert_file: ${JSON.stringify(cert)}\n  key_file: ${JSON.stringify(key)}\n  ca_file: ${JSON.stringify(ca)}\n  verify: true\n  timeout: 5\n}\n`,
  );
  return { dir, seed, ca, serverConfig, clusterConfig };
}

function openssl(...args: string[][]): void {
  execFileSync('openssl', args.flat(), { stdio: ['ignore', 'ignore', 'pipe'] });
}
