import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** The first nats-server that keeps acknowledged writes through a crash with `sync_interval: always`. */
export const MIN_NATS_VERSION = [2, 10, 23] as const;

const INSTALLER = join(import.meta.dirname, '..', '..', '..', 'deploy', 'dev', 'nats-server.sh');
let resolved: string | undefined;

/**
 * The nats-server the tests run: the one deployments run (>= 2.10.23). NATS_SERVER_BIN names it
 * (`npm test` sets it); else deploy/dev/nats-server.sh finds or installs one. An older one is never
 * run in its place.
 */
export function natsServerBinary(): string {
  if (resolved) return resolved;
  const named = process.env.NATS_SERVER_BIN;
  const binary = named || execFileSync('bash', [INSTALLER], { encoding: 'utf8' }).trim();
  const version = natsServerVersion(binary);
  if (!version || !atLeast(version, MIN_NATS_VERSION))
    throw new Error(
      `${binary} is nats-server ${version?.join('.') ?? '(unknown)'}; Ferry needs >= ${MIN_NATS_VERSION.join('.')}: run bash deploy/dev/nats-server.sh, which installs one and prints its path`,
    );
  return (resolved = binary);
}

export function natsServerVersion(binary: string): number[] | undefined {
  const out = execFileSync(binary, ['--version'], { encoding: 'utf8' });
  return /v(\d+)\.(\d+)\.(\d+)/.exec(out)?.slice(1).map(Number);
}

const atLeast = (v: readonly number[], min: readonly number[]) => {
  for (let i = 0; i < min.length; i++)
    if ((v[i] ?? 0) !== (min[i] ?? 0)) return (v[i] ?? 0) > (min[i] ?? 0);
  return true;
};
