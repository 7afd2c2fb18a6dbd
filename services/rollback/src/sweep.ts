import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Resource } from '@ferry/contracts';
import type { Job } from '@ferry/domain';
import { cloudAway } from './retry-policy.ts';
import {
  CloudConfigError,
  jobPortName,
  jobTag,
  type Cinder,
  type Glance,
  type Neutron,
  type Nova,
} from '@ferry/openstack';

export interface SweepDeps {
  readonly nova: Nova;
  readonly neutron: Neutron;
  readonly cinder: Cinder;
  readonly glance: Glance;
  /** MIGRATION_OUTPUT_DIR: the job's files are in its folder there. */
  readonly outputDir: string;
}

export interface Sweep {
  readonly found: readonly Resource[];
  /** Why OpenStack could not be searched, when it could not: what it holds of the job is unknown. */
  readonly problem?: string;
  /** The problem is that no cloud is configured here at all (asking again will not help). */
  readonly unconfigured?: boolean;
  /** The problem is that the cloud does not answer as it should (waiting may help). */
  readonly away?: boolean;
}

/**
 * What the job may have left that its events do not record (created just before a crash), found by
 * its marks: its folder of files (partial `.part` files, the manifest), and in OpenStack the
 * servers and images tagged with the job, the ports named for its NICs, the volumes carrying its id.
 */
export async function sweep(deps: SweepDeps, job: Job): Promise<Sweep> {
  const found: Resource[] = [];
  const folder = join(deps.outputDir, job.jobId);
  if (existsSync(folder)) found.push({ kind: 'artifact', id: folder, name: 'job folder' });
  if (!mayHaveReachedOpenStack(job)) return { found };
  try {
    for (const s of await deps.nova.serversTagged(jobTag(job.jobId)))
      found.push({ kind: 'server', id: s.id, name: s.name });
    for (const nic of job.vm?.nics ?? [])
      for (const p of await deps.neutron.ports({ name: jobPortName(job.jobId, nic.index) }))
        found.push({ kind: 'port', id: p.id, name: p.name });
    for (const v of await deps.cinder.volumesWithMetadata({ ferry_job_id: job.jobId }))
      found.push({ kind: 'volume', id: v.id, name: v.name });
    for (const i of await deps.glance.list({ tag: jobTag(job.jobId) }))
      found.push({ kind: 'image', id: i.id, name: i.name });
    return { found };
  } catch (error) {
    const message = (error as Error).message;
    const unconfigured = error instanceof CloudConfigError;
    return {
      found,
      problem: unconfigured ? `no OpenStack configured: ${message}` : message,
      unconfigured,
      away: cloudAway(error),
    };
  }
}

/** Nothing is created in OpenStack before the upload stage, nor in a dry run of it. */
const mayHaveReachedOpenStack = (job: Job) =>
  job.flags.openstackDeployment &&
  job.failure?.stage !== 'validation' &&
  job.failure?.stage !== 'conversion';
