import { rm, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Resource, ResourceKind, RollbackOutcome } from '@ferry/contracts';
import {
  CloudConfigError,
  type Cinder,
  type Glance,
  type Neutron,
  type Nova,
} from '@ferry/openstack';
import { cloudAway, delayAfter, mayPass, type Backoff } from './retry-policy.ts';

export interface RemoveDeps {
  readonly nova: Nova;
  readonly neutron: Neutron;
  readonly cinder: Cinder;
  readonly glance: Glance;
  /** How long a deleted server or volume may take to be gone. */
  readonly goneTimeoutMs: number;
  readonly pollMs: number;
  readonly backoff: Backoff;
}

/** What a rollback step records. */
export interface StepResult {
  readonly outcome: RollbackOutcome;
  readonly detail: string;
}

/** Deletes the resource; true when it was there. Returns once it is gone. */
type Remover = (deps: RemoveDeps, id: string, attempts: Attempts) => Promise<boolean>;

const REMOVERS: Record<ResourceKind, { remove: Remover; from: string }> = {
  server: {
    from: 'Nova',
    remove: async (deps, id, attempts) => {
      const existed = await deps.nova.deleteServer(id);
      await untilGone(deps, `server ${id}`, () => deps.nova.server(id), attempts);
      return existed;
    },
  },
  port: { from: 'Neutron', remove: (deps, id) => deps.neutron.deletePort(id) },
  volume: {
    from: 'Cinder',
    remove: async (deps, id, attempts) => {
      const existed = await deps.cinder.deleteVolume(id);
      await untilGone(deps, `volume ${id}`, () => deps.cinder.volume(id), attempts);
      return existed;
    },
  },
  image: { from: 'Glance', remove: (deps, id) => deps.glance.delete(id) },
  artifact: {
    from: 'the disk',
    remove: async (_deps, path) => {
      const found = await stat(path).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      });
      if (!found) return false;
      // A directory here is the job's own folder (partial files, the manifest): all of it goes.
      await rm(path, { recursive: found.isDirectory() });
      return true;
    },
  },
};

/** What a removal reports to, and when it must stop. */
export interface Attempts {
  /** Each attempt: the rollback is alive and trying. */
  readonly progress: () => void;
  readonly signal: AbortSignal;
}

/**
 * Removes one resource, trying again with backoff what may pass (a volume still detaching); a cloud
 * not answering is waited for until the backoff's deadline. A resource already gone is
 * `already-absent`, never an error.
 */
export async function removeResource(
  deps: RemoveDeps,
  resource: Resource,
  { progress, signal }: Attempts,
): Promise<StepResult> {
  const { remove, from } = REMOVERS[resource.kind];
  let existed = false;
  const started = Date.now();
  for (let failures = 0; ;) {
    progress();
    try {
      // Once an attempt deleted it, a later one finding it gone still reports the deletion.
      existed = (await remove(deps, resource.id, { progress, signal })) || existed;
      return existed
        ? { outcome: 'deleted', detail: `deleted from ${from}` }
        : { outcome: 'already-absent', detail: `${from} has no ${resource.kind} ${resource.id}` };
    } catch (error) {
      failures++;
      const retryable = mayPass(error);
      const outage = cloudAway(error) ? { waitedMs: Date.now() - started } : undefined;
      const delay = retryable ? delayAfter(failures, deps.backoff, outage) : undefined;
      if (delay === undefined)
        return { outcome: 'failed', detail: failure(error, retryable, failures) };
      await sleep(delay, undefined, { signal });
    }
  }
}

function failure(error: unknown, retryable: boolean, attempts: number): string {
  const message = (error as Error).message;
  if (error instanceof CloudConfigError)
    return `no OpenStack configured: ${message}`.slice(0, 2048);
  const why = retryable
    ? `gave up after ${attempts} attempts`
    : 'not tried again: waiting cannot change it';
  return `${message.slice(0, 1900)} (${why})`;
}

/** Polls until the resource is no longer there (404), within the deadline. */
async function untilGone(
  deps: RemoveDeps,
  what: string,
  get: () => Promise<{ status: string } | undefined>,
  { progress, signal }: Attempts,
): Promise<void> {
  const deadline = Date.now() + deps.goneTimeoutMs;
  for (;;) {
    const now = await get();
    if (!now) return;
    if (now.status === 'error_deleting')
      throw new Error(`${what} could not be deleted (error_deleting)`);
    if (Date.now() > deadline)
      throw new Error(
        `${what} is still there (${now.status}) ${Math.round(deps.goneTimeoutMs / 1000)} s after its deletion`,
      );
    progress();
    await sleep(deps.pollMs, undefined, { signal });
  }
}
