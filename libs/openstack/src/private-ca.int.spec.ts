import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, freePort, loopbackOpenStack, startNginx } from '@ferry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCloudConfig } from './config/cloud-config.ts';
import { OpenStackHttp } from './http/openstack-http.ts';
import { OpenStackSession } from './identity/session.ts';

/**
 * A cloud behind a company's own CA, for real: the loopback Keystone behind Debian's nginx on TLS,
 * its certificate signed by a CA made here, which no system store trusts.
 */
describe('a Keystone behind TLS signed by a private CA', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-private-ca-'));
  let nginx: ReturnType<typeof startNginx> | undefined;
  let http: OpenStackHttp;
  let authUrl: string;
  let auth: Record<string, string>;

  beforeAll(async () => {
    const cloud = loopbackOpenStack();
    const plain = loadCloudConfig({ env: cloud.env });
    if (plain.auth.type !== 'password') throw new Error('the loopback cloud logs in by password');
    auth = {
      username: plain.auth.username,
      password: plain.auth.password,
      project_name: plain.auth.projectName,
      user_domain_name: plain.auth.userDomainName,
      project_domain_name: plain.auth.projectDomainName,
    };
    const openssl = (...args: string[]) =>
      execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=Ferry test CA',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
    );
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=127.0.0.1',
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
    );
    writeFileSync(join(dir, 'san.ext'), 'subjectAltName = IP:127.0.0.1\n');
    openssl(
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      'san.ext',
      '-out',
      'server.pem',
    );
    const port = await freePort();
    const keystone = new URL(plain.authUrl);
    nginx = startNginx(dir, [
      'server {',
      `  listen 127.0.0.1:${port} ssl;`,
      `  ssl_certificate ${dir}/server.pem;`,
      `  ssl_certificate_key ${dir}/server.key;`,
      `  location / { proxy_pass ${keystone.origin}; }`,
      '}',
    ]);
    authUrl = `https://127.0.0.1:${port}${keystone.pathname}`;
    const probe = new OpenStackHttp({ timeoutMs: 5_000, retries: 0 });
    await eventually(
      async () =>
        (await probe
          .send({ service: 'keystone', method: 'GET', url: authUrl, tls: { verify: false } })
          .then((r) => r.status)
          .catch(() => 0)) === 200,
      `nginx up (see ${dir}/error.log)`,
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    await probe.close();
    http = new OpenStackHttp({ timeoutMs: 10_000, retries: 0 });
  }, 20 * 60_000);

  afterAll(async () => {
    await nginx?.stop();
    await http?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A session to the TLS Keystone with clouds.yaml holding `extra`, and the variables `env`. */
  const session = (extra: Record<string, string>, env: Record<string, string> = {}) => {
    const file = join(dir, `clouds-${Object.keys(extra).join('-') || 'plain'}.yaml`);
    const lines = [
      'clouds:',
      '  private:',
      '    auth:',
      `      auth_url: ${authUrl}`,
      ...Object.entries(auth).map(([k, v]) => `      ${k}: ${JSON.stringify(v)}`),
      ...Object.entries(extra).map(([k, v]) => `    ${k}: ${v}`),
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
    return new OpenStackSession(
      loadCloudConfig({
        env: {
          OS_CLIENT_CONFIG_FILE: file,
          OS_CLIENT_SECURE_FILE: file,
          OS_CLOUD: 'private',
          ...env,
        },
      }),
      http,
    );
  };

  it('is reached with its CA as cacert in clouds.yaml, or as OS_CACERT', async () => {
    expect(await session({ cacert: join(dir, 'ca.pem') }).token()).toMatch(/^\S{20,}$/);
    expect(await session({}, { OS_CACERT: join(dir, 'ca.pem') }).token()).toMatch(/^\S{20,}$/);
  });

  it('is refused without it, saying the certificate is not trusted and where to give the CA', async () => {
    await expect(session({}).token()).rejects.toThrow(
      new RegExp(
        `keystone POST /v3/auth/tokens: unable to verify the first certificate.* \\(UNABLE_TO_VERIFY_LEAF_SIGNATURE\\): https://127\\.0\\.0\\.1:\\d+ is not trusted; give the authority that signed its certificate as cacert in clouds\\.yaml \\(or OS_CACERT\\)`,
      ),
    );
  });

  it('is reached unchecked only when asked: verify: false', async () => {
    expect(await session({ verify: 'false' }).token()).toMatch(/^\S{20,}$/);
  });
});
