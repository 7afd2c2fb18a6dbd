import { CloudConfigError } from '../config/cloud-config.ts';
import { OpenStackError } from './openstack-error.ts';

/** How a cloud's refusal fails a job: a code for its failure event, and OpenStack's own words. */
export interface CloudFailure {
  readonly code:
    'openstack-unconfigured' | 'quota-exceeded' | 'openstack-refused' | 'openstack-rejected';
  readonly message: string;
}

/**
 * The job's failure a cloud error is, or undefined when it is not the job's: an outage (the command
 * waits for the cloud, OUTAGE_WAIT_SECONDS, then gives up) or not a cloud error at all.
 * `purpose` says what the cloud was for ("to deploy to").
 */
export function cloudFailureOf(error: unknown, purpose: string): CloudFailure | undefined {
  if (error instanceof CloudConfigError)
    return { code: 'openstack-unconfigured', message: `no OpenStack ${purpose}: ${error.message}` };
  if (!(error instanceof OpenStackError) || error.unreachable) return undefined;
  const { message } = error;
  if (error.status === 413 || /quota/i.test(message)) return { code: 'quota-exceeded', message };
  if (error.status === 401 || error.status === 403) return { code: 'openstack-refused', message };
  return { code: 'openstack-rejected', message };
}
