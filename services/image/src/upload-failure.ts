import { cloudFailureOf } from '@ferry/openstack';
import { StageError } from '@ferry/stages';

/** The job's failure an error of an upload is, or undefined for one that is not the job's. */
export function asUploadError(error: unknown): StageError | undefined {
  if (error instanceof StageError) return error;
  const cloud = cloudFailureOf(error, 'to upload to');
  if (cloud) return new StageError(cloud.code, cloud.message, false);
  if ((error as { code?: string }).code === 'ENOENT')
    return new StageError('artifact-missing', (error as Error).message, false);
  return undefined;
}
