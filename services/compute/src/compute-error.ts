import { CloudConfigError, OpenStackError } from '@ferry/openstack';

/** Why a deployment or verification failed, in the words the job's failure event uses. */
export class ComputeError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  constructor(code: string, message: string, retryable: boolean) {
    super(message);
    this.name = 'ComputeError';
    this.code = code;
    this.retryable = retryable;
  }
}

/** The job's failure an error is, or undefined for one that is not the job's (an outage, the store). */
export function asComputeError(error: unknown): ComputeError | undefined {
  if (error instanceof ComputeError) return error;
  if (error instanceof CloudConfigError)
    return new ComputeError(
      'openstack-unconfigured',
      `no OpenStack to deploy to: ${error.message}`,
      false,
    );
  if (!(error instanceof OpenStackError)) return undefined;
  // Not the job's failure: the command waits for the cloud (OUTAGE_WAIT_SECONDS), then gives up.
  if (error.unreachable) return undefined;
  if (/quota/i.test(error.message)) return new ComputeError('quota-exceeded', error.message, false);
  if (error.status === 401 || error.status === 403)
    return new ComputeError('openstack-refused', error.message, false);
  return new ComputeError('openstack-rejected', error.message, false);
}
