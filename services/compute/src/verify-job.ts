import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandContext } from '@ferry/domain';
import {
  runStage,
  StageError,
  type Delivery,
  type StageDefinition,
  type StageRun,
} from '@ferry/stages';
import type { GuestBoot } from '@ferry/contracts';
import type { Job } from '@ferry/domain';
import type { Server } from '@ferry/openstack';
import { asComputeError } from './compute-failure.ts';
import type { ComputeDeps } from './deploy-job.ts';
import { atLoginPrompt, guestBoot } from './guest-boot.ts';

/** Verification, as the stage runner runs it: it only reads, so it needs no lease. */
export const VERIFICATION: StageDefinition = {
  stage: 'verification',
  leased: () => false,
  failureOf: (error) => asComputeError(error),
};

/**
 * Polls the job's server until it is ACTIVE, ERROR (failed with Nova's fault message), or the
 * configured time runs out; then, within OPENSTACK_VERIFY_BOOT_SECONDS, reads its console log for a
 * login prompt and the addresses the guest shows, and records that evidence (or its absence: many
 * guests write nothing to the serial console, so no evidence is no failure). A dry run is
 * verified as one. A cancel stops the polling.
 */
export function verifyJob(
  deps: ComputeDeps,
  jobId: string,
  context: CommandContext,
  delivery: Delivery,
): Promise<void> {
  return runStage(deps.runner, VERIFICATION, jobId, context, delivery, (run) => verify(deps, run));
}

async function verify(deps: ComputeDeps, run: StageRun) {
  const { state, decide, signal, progress } = run;
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
      // How long it took to be ACTIVE; the boot that follows is timed on its own.
      const durationMs = Date.now() - started;
      const kept = keptAddresses(state.job, server.addresses);
      const guest = deps.bootWaitMs > 0 ? await bootEvidence(deps, serverId, kept, run) : undefined;
      await decide(
        {
          type: 'RecordVerification',
          data: {
            serverStatus: 'ACTIVE',
            durationMs,
            ...(guest ? { guest } : {}),
          },
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

/** The guest's addresses the job kept that Nova shows on the server. */
function keptAddresses(job: Job, shown: Server['addresses']): string[] {
  if (!job.options.keepIps || !job.vm) return [];
  const onServer = new Set(Object.values(shown ?? {}).flatMap((list) => list.map((a) => a.addr)));
  return job.vm.nics
    .flatMap((n) => (n.addresses ?? []).map((a) => a.ip))
    .filter((ip) => onServer.has(ip));
}

/** Reads the console log until the guest waits at a login prompt, or the bound passes. */
async function bootEvidence(
  deps: ComputeDeps,
  serverId: string,
  kept: readonly string[],
  { signal, progress }: StageRun,
): Promise<GuestBoot> {
  const started = Date.now();
  for (;;) {
    // The whole log: boot scripts may write long after the prompt.
    const log = await deps.nova.consoleOutput(serverId, 5000);
    const waited = Date.now() - started;
    if (log === undefined || atLoginPrompt(log) || waited >= deps.bootWaitMs)
      return guestBoot(log, kept, waited, Math.round(deps.bootWaitMs / 1000));
    progress();
    await sleep(deps.pollMs, undefined, { signal });
  }
}
