import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loopbackOpenStack, type LoopbackOpenStack } from '@ferry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCloudConfig } from './config/cloud-config.ts';
import { openstackHealth } from './health.ts';
import { OpenStackError } from './http/openstack-error.ts';
import { OpenStackHttp } from './http/openstack-http.ts';
import { OpenStackSession } from './identity/session.ts';
import { Glance } from './image/glance.ts';

describe('libs/openstack against a real OpenStack on loopback', () => {
  let cloud: LoopbackOpenStack;
  let http: OpenStackHttp;
  let session: OpenStackSession;
  let dir: string;
  beforeAll(() => {
    cloud = loopbackOpenStack();
    http = new OpenStackHttp({ timeoutMs: 60_000, retries: 2 });
    session = new OpenStackSession(loadCloudConfig({ env: cloud.env }), http);
    dir = mkdtempSync(join(tmpdir(), 'ferry-openstack-'));
  }, 20 * 60_000);
  afterAll(async () => {
    await http.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs in and finds every service Ferry uses, each answering with its API version', async () => {
    const health = await openstackHealth(session, http);
    expect(health.map((s) => [s.service, s.reachable])).toEqual([
      ['keystone', true],
      ['glance', true],
      ['nova', true],
      ['neutron', true],
      ['cinder', true],
    ]);
    expect(health.find((s) => s.service === 'nova')?.version).toMatch(/^v2\.1 \(2\.\d+\)$/);
    expect(health.find((s) => s.service === 'glance')?.version).toMatch(/^v2\.\d+$/);
  });

  it("a wrong password is refused with Keystone's own words and its request id", async () => {
    const wrong = new OpenStackSession(
      loadCloudConfig({ env: { ...cloud.env, OS_PASSWORD: 'not-the-password' } }),
      http,
    );
    const error = await wrong.projectId().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenStackError);
    expect((error as OpenStackError).status).toBe(401);
    expect((error as Error).message).toMatch(
      /^keystone POST \/v3\/auth\/tokens: HTTP 401: The request you have made requires authentication\. \(request req-[0-9a-f-]+\)$/,
    );
    const health = await openstackHealth(wrong, http);
    expect(health.every((s) => !s.reachable)).toBe(true);
  });

  it('uploads a real qcow2 to Glance, streamed, whose checksums match the file; deletes it', async () => {
    const file = join(dir, 'small.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', file, '64M']);
    execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x6b 0 4M', file]);
    const glance = new Glance(session);
    const image = await glance.create({
      name: 'ferry-libs-test',
      diskFormat: 'qcow2',
      tags: ['ferry-test'],
      properties: { ferry_job_id: 'lib' },
    });
    try {
      await glance.upload(image.id, () => createReadStream(file), statSync(file).size);
      const stored = await glance.get(image.id);
      const bytes = readFileSync(file);
      expect(stored).toMatchObject({
        status: 'active',
        size: bytes.length,
        checksum: createHash('md5').update(bytes).digest('hex'),
        os_hash_value: createHash('sha512').update(bytes).digest('hex'),
        ferry_job_id: 'lib',
      });
      expect((await glance.list({ tag: 'ferry-test' })).map((i) => i.id)).toContain(image.id);
      // A client Ferry did not write sees the same image.
      expect(cloud.cli<{ id: string; status: string }>('image', 'show', image.id)).toMatchObject({
        status: 'active',
      });
    } finally {
      expect(await glance.delete(image.id)).toBe(true);
    }
    expect(await glance.get(image.id)).toBeUndefined();
    expect(await glance.delete(image.id)).toBe(false);
  });

  it('logs in with an application credential, and renews a token Keystone revoked', async () => {
    const name = `ferry-test-${Date.now()}`;
    const credential = cloud.cli<{ id: string; secret: string }>(
      'application',
      'credential',
      'create',
      name,
    );
    try {
      const byCredential = new OpenStackSession(
        loadCloudConfig({
          env: {
            OS_AUTH_URL: 'http://127.0.0.1:5000/v3',
            OS_AUTH_TYPE: 'v3applicationcredential',
            OS_APPLICATION_CREDENTIAL_ID: credential.id,
            OS_APPLICATION_CREDENTIAL_SECRET: credential.secret,
            OS_REGION_NAME: 'RegionOne',
          },
        }),
        http,
      );
      const glance = new Glance(byCredential);
      await glance.list({ tag: 'ferry-none' });
      // The token in use is revoked behind the session's back: the next call gets Keystone's 401 and
      // logs in again. (Asked of Keystone itself: other services cache validated tokens for minutes.)
      const first = await byCredential.token();
      execFileSync('openstack', ['token', 'revoke', first], {
        env: { PATH: '/usr/bin:/bin', ...cloud.env },
      });
      expect((await byCredential.call('identity', 'GET', '/auth/catalog')).status).toBe(200);
      expect(await byCredential.token()).not.toBe(first);
    } finally {
      execFileSync('openstack', ['application', 'credential', 'delete', name], {
        env: { PATH: '/usr/bin:/bin', ...cloud.env },
      });
    }
  });
});
