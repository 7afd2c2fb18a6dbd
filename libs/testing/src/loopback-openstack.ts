import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const SCRIPT = resolve(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'deploy',
  'openstack-dev',
  'openstack-dev.sh',
);

export interface LoopbackOpenStack {
  /** The clouds.yaml with cloud `openstack` (admin) and `openstack-ferry` (a member). */
  readonly cloudsYaml: string;
  /** Environment for a Ferry process or the `openstack` CLI to use that cloud. */
  readonly env: Readonly<Record<string, string>>;
  /** Runs Debian's `openstack` CLI (a client Ferry did not write) and parses its JSON output. */
  cli<T>(...args: string[]): T;
  /** Runs a CLI command whose output is not JSON (a delete, a console log): what it printed. */
  run(...args: string[]): string;
}

/**
 * The real OpenStack of deploy/openstack-dev on loopback: started if it is not up (`npm test`
 * starts it once for the whole run and stops it at the end), else just checked.
 */
export function loopbackOpenStack(): LoopbackOpenStack {
  execFileSync('bash', [SCRIPT, 'up'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 20 * 60_000,
  });
  const state = process.env.FERRY_OPENSTACK_STATE ?? '/var/lib/ferry-openstack';
  const cloudsYaml = join(state, 'clouds.yaml');
  const env = { OS_CLIENT_CONFIG_FILE: cloudsYaml, OS_CLOUD: 'openstack' };
  const openstack = (args: string[]) =>
    execFileSync('openstack', args, {
      env: { PATH: '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...env },
      encoding: 'utf8',
    });
  return {
    cloudsYaml,
    env,
    cli: <T>(...args: string[]) => JSON.parse(openstack([...args, '-f', 'json'])) as T,
    run: (...args: string[]) => openstack(args),
  };
}
