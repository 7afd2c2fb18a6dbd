import { cloudFailureOf } from '@ferry/openstack';
import { StageError } from '@ferry/stages';

/** The job's failure an error of a deployment or verification is, or undefined for one that is not the job's. */
export function asComputeError(error: unknown): StageError | undefined {
  if (error instanceof StageError) return error;
  const cloud = cloudFailureOf(error, 'to deploy to');
  return cloud && new StageError(cloud.code, cloud.message, false);
}
