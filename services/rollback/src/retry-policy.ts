import { CloudConfigError, OpenStackError } from '@ferry/openstack';

/** How often a removal is tried, and how long it waits in between (doubling up to a ceiling). */
export interface Backoff {
  readonly attempts: number;
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
  /** While the cloud does not answer, how long to keep trying regardless of attempts (ROLLBACK_DEADLINE_SECONDS). */
  readonly unreachableForMs: number;
}

export const ROLLBACK_BACKOFF: Omit<Backoff, 'unreachableForMs'> = {
  attempts: 5,
  firstDelayMs: 1000,
  maxDelayMs: 15_000,
};

/**
 * The wait after the given number of failed attempts, or undefined when no attempt is left. A cloud
 * that does not answer is waited for until `unreachableForMs` has passed since the first attempt,
 * however many attempts that takes: a rollback never gives up because the cloud was away.
 */
export function delayAfter(
  failures: number,
  backoff: Backoff,
  outage?: { readonly waitedMs: number },
): number | undefined {
  const delay = Math.min(backoff.maxDelayMs, backoff.firstDelayMs * 2 ** (failures - 1));
  if (outage) return outage.waitedMs + delay <= backoff.unreachableForMs ? delay : undefined;
  if (failures >= backoff.attempts) return undefined;
  return delay;
}

/** The cloud (or what stands in front of it) not answering as it should: worth waiting for. */
export const cloudAway = (error: unknown): boolean =>
  error instanceof OpenStackError && error.unreachable;

/**
 * Whether trying again may help: a volume still detaching (Cinder's 400), a conflict, a cloud that
 * did not answer. No cloud configured, or credentials refused, will not change by waiting.
 */
export function mayPass(error: unknown): boolean {
  if (error instanceof CloudConfigError) return false;
  if (error instanceof OpenStackError) return error.status !== 401 && error.status !== 403;
  const code = (error as { code?: unknown }).code;
  return code !== 'EACCES' && code !== 'EPERM' && code !== 'EISDIR';
}
