import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { MigrationOptions, ValidationCheck, VmDescription } from '@ferry/contracts';
import type { CommandContext } from '@ferry/domain';
import { cloudFailureOf } from '@ferry/openstack';
import {
  runStage,
  type Delivery,
  type StageDefinition,
  type StageRun,
  type StageRunnerDeps,
} from '@ferry/stages';
import { validationChecks, type TargetAnswer } from './validation-checks.ts';

export interface ValidateDeps {
  /** What the stage runner needs: the store, NATS, the service's stopping signal. */
  readonly runner: StageRunnerDeps;
  readonly inventory: { current(): Promise<ReadonlyMap<string, VmDescription>> };
  /** The VM read again from its source; undefined when it is no longer there. */
  readonly reread: (vm: VmDescription) => Promise<VmDescription | undefined>;
  readonly outputDir: string;
  /** Asks OpenStack where the VM would land (only when deployment is on). */
  readonly target: (vm: VmDescription, options: MigrationOptions) => Promise<TargetAnswer>;
}

/** Validation, as the stage runner runs it: it only reads, so it needs no lease; its failures are checks. */
export const VALIDATION: StageDefinition = {
  stage: 'validation',
  leased: () => false,
  failureOf: () => undefined,
};

/**
 * PENDING → DISCOVERED: the VM is read again from its source and checked; every check is recorded.
 * A VM that cannot be read again fails the job here, with the reason as its check.
 */
export function validateJob(
  deps: ValidateDeps,
  jobId: string,
  context: CommandContext,
  delivery: Delivery,
): Promise<void> {
  return runStage(deps.runner, VALIDATION, jobId, context, delivery, (run) => validate(deps, run));
}

async function validate(deps: ValidateDeps, { state, decide }: StageRun): Promise<void> {
  const { job } = state;
  const known = (await deps.inventory.current()).get(job.vmKey);
  if (!known) {
    // Nothing to read again: the inventory no longer has it (vanished from its source since the job was made).
    await decide(
      {
        type: 'FailMigration',
        data: {
          stage: 'validation',
          code: 'vm-unknown',
          message: `${job.vmName} (${job.vmKey}) is no longer in the inventory of ${job.source.kind} ${job.source.id}`,
          retryable: false,
        },
      },
      'unknown',
    );
    return;
  }
  const record = (vm: VmDescription, checks: ValidationCheck[]) =>
    decide({ type: 'RecordValidation', data: { vm, checks } }, 'validated');
  let vm: VmDescription | undefined;
  try {
    vm = await deps.reread(known);
  } catch (error) {
    await record(known, [
      {
        name: 'source-readable',
        outcome: 'failed',
        detail: `${job.source.kind} ${job.source.id}: ${(error as Error).message}`.slice(0, 2048),
      },
    ]);
    return;
  }
  if (!vm) {
    await record(known, [
      {
        name: 'source-readable',
        outcome: 'failed',
        detail: `${job.vmName} (${job.vmKey}) is no longer at ${job.source.kind} ${job.source.id}`,
      },
    ]);
    return;
  }
  let target: TargetAnswer | undefined;
  if (job.flags.openstackDeployment) {
    try {
      target = await deps.target(vm, job.options);
    } catch (error) {
      // A cloud that does not answer is waited out (OUTAGE_WAIT_SECONDS) like in any stage, then
      // the command gives up and the job fails; a refusal is the check's answer.
      const problem = cloudFailureOf(error, 'to check the target in');
      if (!problem) throw error;
      target = { problem };
    }
  }
  await record(vm, [
    {
      name: 'source-readable',
      outcome: 'passed',
      detail: `read again from ${job.source.kind} ${job.source.id}`,
    },
    ...validationChecks(vm, {
      freeBytes: await freeBytes(deps.outputDir),
      outputDir: deps.outputDir,
      target,
      strategy: job.options.strategy,
    }),
  ]);
}

/** Free bytes for the artifacts: in the output folder, or the nearest parent that exists yet. */
async function freeBytes(dir: string): Promise<number> {
  for (let at = dir; ; at = dirname(at)) {
    try {
      const s = await statfs(at);
      return s.bavail * s.bsize;
    } catch (error) {
      if ((error as { code?: string }).code !== 'ENOENT' || dirname(at) === at) throw error;
    }
  }
}
