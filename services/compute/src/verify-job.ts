import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandContext } from '@ferry/domain';
import { openMigration } from '@ferry/stages';
import { asComputeError, ComputeError, type ComputeDeps } from './deploy-job.ts';

/**
 * Polls the job's server until it is ACTIVE (verified), ERROR (failed with Nova's fault message),
 * or the configured time runs out. A dry run is verified as one.
 */
export async function verifyJob(
  deps: ComputeDeps,
  jobId: string,
  context: CommandContext,
): Promise<void> {
  const { state, decide } = await openMigration(deps.store, jobId, context, deps.now);
  if (state.phase !== 'DEPLOYED') return;
  const started = Date.now();
  const { serverId } = state.job;
  if (!state.job.flags.openstackDeployment || serverId === null) {
    await decide(
      { type: 'RecordVerification', data: { serverStatus: null, durationMs: 0 } },
      'verified',
    );
    return;
  }
  try {
    for (;;) {
      const server = await deps.nova.server(serverId);
      if (!server)
        throw new ComputeError(
          'server-missing',
          `server ${serverId} no longer exists in Nova`,
          false,
        );
      if (server.status === 'ACTIVE') {
        await decide(
          {
            type: 'RecordVerification',
            data: { serverStatus: 'ACTIVE', durationMs: Date.now() - started },
          },
          'verified',
        );
        return;
      }
      if (server.status === 'ERROR')
        throw new ComputeError(
          'server-error',
          `server ${serverId} went to ERROR: ${server.fault?.message ?? 'Nova gave no fault'}${server.fault?.details ? ` (${server.fault.details.slice(0, 1000)})` : ''}`,
          false,
        );
      if (Date.now() - started > deps.verifyTimeoutMs)
        throw new ComputeError(
          'timeout',
          `server ${serverId} is still ${server.status} after ${Math.round(deps.verifyTimeoutMs / 1000)} s`,
          true,
        );
      await sleep(deps.pollMs);
    }
  } catch (error) {
    const failure = asComputeError(error);
    if (!failure) throw error;
    await decide(
      {
        type: 'FailMigration',
        data: {
          stage: 'verification',
          code: failure.code,
          message: failure.message.slice(0, 4000),
          retryable: failure.retryable,
        },
      },
      'fail',
    );
  }
}
