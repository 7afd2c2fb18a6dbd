import { CloudConfigError, OpenStackError } from '@ferry/openstack';

/** Why an upload failed, in the words the job's failure event uses. */
export class UploadError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  constructor(code: string, message: string, retryable: boolean) {
    super(message);
    this.name = 'UploadError';
    this.code = code;
    this.retryable = retryable;
  }
}

/** The job's failure an error is, or undefined for one that is not the job's (an outage, the store). */
export function asUploadError(error: unknown): UploadError | undefined {
  if (error instanceof UploadError) return error;
  if (error instanceof CloudConfigError)
    return new UploadError(
      'openstack-unconfigured',
      `no OpenStack to upload to: ${error.message}`,
      false,
    );
  if (error instanceof OpenStackError) {
    // Not the job's failure: the command waits for the cloud (OUTAGE_WAIT_SECONDS), then gives up.
    if (error.unreachable) return undefined;
    if (error.status === 413 || /quota/i.test(error.message))
      return new UploadError('quota-exceeded', error.message, false);
    if (error.status === 401 || error.status === 403)
      return new UploadError('openstack-refused', error.message, false);
    return new UploadError('openstack-rejected', error.message, false);
  }
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT')
    return new UploadError('artifact-missing', (error as Error).message, false);
  return undefined;
}
