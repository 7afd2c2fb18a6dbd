import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, loopbackOpenStack, type LoopbackOpenStack } from '@ferry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ferry } from './testing/run-ferry.ts';

interface Health {
  cloud: string;
  services: { service: string; type: string; reachable: boolean; version?: string }[];
}

/** `ferry openstack health` against the loopback OpenStack, and against a cloud that is not there. */
describe('ferry openstack health', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-cli-openstack-'));
  let cloud: LoopbackOpenStack;
  let down: Record<string, string>;
  beforeAll(async () => {
    cloud = loopbackOpenStack();
    const cloudsYaml = join(dir, 'clouds.yaml');
    writeFileSync(
      cloudsYaml,
      `clouds:\n  gone:\n    auth:\n      auth_url: http://127.0.0.1:${await freePort()}/v3\n      username: u\n      password: p\n      project_name: p\n      user_domain_name: Default\n      project_domain_name: Default\n`,
    );
    down = { OS_CLIENT_CONFIG_FILE: cloudsYaml, OS_CLOUD: 'gone' };
  }, 20 * 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const TYPES = ['identity', 'image', 'compute', 'network', 'block-storage'];

  it('shows each service in a table; exit 0 when every one answers', async () => {
    const run = await ferry(['openstack', 'health'], cloud.env);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const [header, ...rows] = run.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^SERVICE\s+TYPE\s+REACHABLE\s+VERSION\s+LATENCY\s+URL\s+ERROR$/);
    expect(rows.map((r) => r.split(/\s+/)[1]).sort()).toEqual([...TYPES].sort());
    for (const row of rows) expect(row.split(/\s+/)[2], row).toBe('yes');
  });

  it('shows the same as JSON and as YAML', async () => {
    const json = await ferry(['openstack', 'health', '-f', 'json'], cloud.env);
    expect(json.code).toBe(0);
    const health = JSON.parse(json.stdout) as Health;
    expect(health.cloud).toBe('openstack');
    expect(health.services.map((s) => [s.type, s.reachable]).sort()).toEqual(
      TYPES.map((t) => [t, true]).sort(),
    );
    const yaml = await ferry(['openstack', 'health', '-f', 'yaml', '--cloud', 'openstack'], {
      OS_CLIENT_CONFIG_FILE: cloud.cloudsYaml,
    });
    expect(yaml.code).toBe(0);
    expect((parse(yaml.stdout) as Health).services).toEqual(
      health.services.map(() => expect.objectContaining({ reachable: true })),
    );
  });

  it('exits 1 when the cloud does not answer, saying so in each format', async () => {
    const table = await ferry(['openstack', 'health'], down);
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/identity\s+no\s/);
    const json = await ferry(['openstack', 'health', '--json'], down);
    expect(json.code).toBe(1);
    const { services } = JSON.parse(json.stdout) as Health;
    expect(services.find((s) => s.type === 'identity')?.reachable).toBe(false);
  });

  it('exits 2 on a bad command line or an unknown cloud', async () => {
    expect((await ferry(['openstack'], cloud.env)).code).toBe(2);
    expect((await ferry(['openstack', 'health', '-f', 'xml'], cloud.env)).code).toBe(2);
    expect((await ferry(['openstack', 'health', '--bogus'], cloud.env)).code).toBe(2);
    const unknown = await ferry(['openstack', 'health', '--cloud', 'nowhere'], cloud.env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/nowhere/);
  });
});
