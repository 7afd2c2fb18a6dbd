import { CloudConfigError, OpenStackError } from '@ferry/openstack';

/** How often a removal is tried, and how long it waits in between (doubling up to a ceiling). */
export interface Backoff {
  readonly attempts: number;
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
}

export const ROLLBACK_BACKOFF: Backoff = { attempts: 5, firstDelayMs: 1000, maxDelayMs: 15_000 };

/** The wait after the given number of failed attempts, or undefined when no attempt is left. */
export function delayAfter(failures: number, backoff: Backoff): number | undefined {
  if (failures >= backoff.attempts) return undefined;
  return Math.min(backoff.maxDelayMs, backoff.firstDelayMs * 2 ** (failures - 1));
}

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
