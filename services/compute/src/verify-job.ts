import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandContext } from '@ferry/domain';
import {
  runStage,
  StageError,
  type Delivery,
  type StageDefinition,
  type StageRun,
} from '@ferry/stages';
import { asComputeError } from './compute-failure.ts';
import type { ComputeDeps } from './deploy-job.ts';

/** Verification, as the stage runner runs it: it only reads, so it needs no lease. */
export const VERIFICATION: StageDefinition = {
  stage: 'verification',
  leased: () => false,
  failureOf: (error) => asComputeError(error),
};

/**
 * Polls the job's server until it is ACTIVE (verified), ERROR (failed with Nova's fault message),
 * or the configured time runs out. A dry run is verified as one. A cancel stops the polling.
 */
export function verifyJob(
  deps: ComputeDeps,
  jobId: string,
  context: CommandContext,
  delivery: Delivery,
): Promise<void> {
  return runStage(deps.runner, VERIFICATION, jobId, context, delivery, (run) => verify(deps, run));
}

async function verify(deps: ComputeDeps, { state, decide, signal, progress }: StageRun) {
  const started = Date.now();
  const { serverId } = state.job;
  if (!state.job.flags.openstackDeployment || serverId === null) {
    await decide(
      { type: 'RecordVerification', data: { serverStatus: null, durationMs: 0 } },
      'verified',
    );
    return;
  }
  for (;;) {
    const server = await deps.nova.server(serverId);
    if (!server)
      throw new StageError('server-missing', `server ${serverId} no longer exists in Nova`, false);
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
      throw new StageError(
        'server-error',
        `server ${serverId} went to ERROR: ${server.fault?.message ?? 'Nova gave no fault'}${server.fault?.details ? ` (${server.fault.details.slice(0, 1000)})` : ''}`,
        false,
      );
    if (Date.now() - started > deps.verifyTimeoutMs)
      throw new StageError(
        'timeout',
        `server ${serverId} is still ${server.status} after ${Math.round(deps.verifyTimeoutMs / 1000)} s`,
        true,
      );
    progress();
    await sleep(deps.pollMs, undefined, { signal });
  }
}
