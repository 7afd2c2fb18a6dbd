import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serviceSession } from './service-session.ts';

const SETTINGS = {
  OPENSTACK_CLOUD_NAME: 'openstack',
  OPENSTACK_TIMEOUT_SECONDS: 5,
  OPENSTACK_RETRIES: 0,
};
const KEYS = ['INIT_CWD', 'OS_CLOUD', 'OS_CLIENT_CONFIG_FILE', 'OS_CLIENT_SECURE_FILE'] as const;

describe("a service's OpenStack session, configured where operators put it", () => {
  let dir: string;
  const saved = new Map(KEYS.map((k) => [k, process.env[k]]));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-session-'));
    for (const k of KEYS) Reflect.deleteProperty(process.env, k);
    // As npm start runs a service: INIT_CWD is where the operator ran it, and its .env is there.
    process.env.INIT_CWD = dir;
    writeFileSync(
      join(dir, 'clouds.yaml'),
      ['openstack', 'private']
        .map(
          (c) =>
            `  ${c}:\n    auth:\n      auth_url: https://${c}.example/v3\n      username: ferry\n      password: secret\n      project_name: migrations\n`,
        )
        .join('')
        .replace(/^/, 'clouds:\n'),
    );
    writeFileSync(join(dir, 'secure.yaml'), 'clouds: {}\n');
    writeFileSync(
      join(dir, '.env'),
      `OS_CLOUD=private\nOS_CLIENT_CONFIG_FILE=${join(dir, 'clouds.yaml')}\nOS_CLIENT_SECURE_FILE=${join(dir, 'secure.yaml')}\n`,
    );
  });
  afterEach(() => {
    for (const [k, v] of saved)
      if (v === undefined) Reflect.deleteProperty(process.env, k);
      else process.env[k] = v;
    rmSync(dir, { recursive: true, force: true });
  });

  const configured = async () => {
    const said: object[] = [];
    const { http } = serviceSession(SETTINGS, {
      info: (fields) => said.push(fields),
      warn: (fields) => said.push(fields),
    });
    await http.close();
    return said;
  };

  it('takes OS_CLOUD and OS_CLIENT_CONFIG_FILE from .env', async () => {
    expect(await configured()).toEqual([
      { cloud: 'private', from: `cloud private in ${join(dir, 'clouds.yaml')}` },
    ]);
  });

  it('lets the environment win over .env', async () => {
    process.env.OS_CLOUD = 'openstack';
    expect(await configured()).toEqual([
      { cloud: 'openstack', from: `cloud openstack in ${join(dir, 'clouds.yaml')}` },
    ]);
  });
});
