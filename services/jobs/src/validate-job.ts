import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import type {
  MigrationOptions,
  NicAddress,
  ValidationCheck,
  VmDescription,
} from '@ferry/contracts';
import { preflightChecks, type CommandContext } from '@ferry/domain';
import {
  cloudFailureOf,
  OpenStackError,
  type DeployTarget,
  type NicOnTarget,
} from '@ferry/openstack';
import {
  runStage,
  type Delivery,
  type StageDefinition,
  type StageRun,
  type StageRunnerDeps,
} from '@ferry/stages';
import { identityChecks, type GuestAddressesRead } from './identity-checks.ts';
import { validationChecks, wouldFail, type TargetAnswer } from './validation-checks.ts';

export interface ValidateDeps {
  /** What the stage runner needs: the store, NATS, the service's stopping signal. */
  readonly runner: StageRunnerDeps;
  readonly inventory: { current(): Promise<ReadonlyMap<string, VmDescription>> };
  /** The VM read again from its source; undefined when it is no longer there. */
  readonly reread: (vm: VmDescription) => Promise<VmDescription | undefined>;
  readonly outputDir: string;
  /** Asks OpenStack where the VM would land (only when deployment is on). */
  readonly target: (vm: VmDescription, options: MigrationOptions) => Promise<TargetAnswer>;
  /** Asks Neutron, read-only, whether each NIC's MAC and addresses can be kept there. */
  readonly identity: (
    vm: VmDescription,
    target: DeployTarget,
    options: MigrationOptions,
    jobId: string,
  ) => Promise<NicOnTarget[]>;
  /**
   * The static addresses per NIC index that the guest's own network configuration gives, read
   * from its disks (a Workstation VM's; libguestfs, read-only); throws when they cannot be read.
   */
  readonly guestAddresses: (
    vm: VmDescription,
    signal: AbortSignal,
  ) => Promise<ReadonlyMap<number, readonly NicAddress[]>>;
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

async function validate(
  deps: ValidateDeps,
  { state, decide, signal, progress }: StageRun,
): Promise<void> {
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
  const keepIps = job.options.keepIps ?? false;
  let read: GuestAddressesRead = { how: 'none' };
  if (keepIps) ({ vm, read } = await withGuestAddresses(deps, vm, signal, progress));
  // With deployment off the target is still asked, read-only: the dry run previews where the VM
  // would land, and what would stop it.
  const dryRun = !job.flags.openstackDeployment;
  let target: TargetAnswer | undefined;
  let notAsked = '';
  let nics: NicOnTarget[] | undefined;
  try {
    target = await deps.target(vm, job.options);
    if (!('problem' in target) && (keepIps || job.options.keepMac))
      nics = await deps.identity(vm, target, job.options, job.jobId);
  } catch (error) {
    // A cloud that does not answer is waited out (OUTAGE_WAIT_SECONDS) like in any stage, then
    // the command gives up and the job fails; a refusal is the check's answer. A dry run never
    // waits for a cloud, and one not configured is no problem there.
    const problem = cloudFailureOf(error, 'to check the target in');
    if (dryRun && (problem?.code === 'openstack-unconfigured' || error instanceof OpenStackError))
      notAsked = problem?.message ?? (error as Error).message;
    else if (problem) target = { problem };
    else throw error;
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
      dryRun,
      notAsked,
    }),
    // The catalogue of pre-flight rules: every one recorded, a critical one fails the job.
    ...preflightChecks({ vm, options: job.options }),
    // Identity is checked against a target that was found; without one, the target check failed.
    ...(target !== undefined && 'problem' in target
      ? []
      : identityChecks(vm, { keepMac: job.options.keepMac, keepIps }, nics, read).map((c) =>
          dryRun ? wouldFail(c) : c,
        )),
  ]);
}

/**
 * The VM with its NICs' static addresses: as VMware Tools reported them (vSphere), or read from
 * the guest's own network configuration on its disks (Workstation). What could not be read is
 * said, and the ports then get their addresses by DHCP.
 */
async function withGuestAddresses(
  deps: ValidateDeps,
  vm: VmDescription,
  signal: AbortSignal,
  progress: () => void,
): Promise<{ vm: VmDescription; read: GuestAddressesRead }> {
  if (vm.nics.some((n) => n.addresses?.length)) return { vm, read: { how: 'guest-tools' } };
  if (vm.source.kind !== 'workstation')
    return { vm, read: { how: 'none', problem: 'VMware Tools report no address for the guest' } };
  // The guest's disks are read by a libguestfs appliance, which takes a minute without KVM.
  const alive = setInterval(progress, 10_000);
  try {
    const found = await deps.guestAddresses(vm, signal);
    return {
      vm: {
        ...vm,
        nics: vm.nics.map((n) => {
          const addresses = found.get(n.index);
          return addresses?.length
            ? { ...n, addresses: [...addresses], addressSource: 'guest-config' as const }
            : n;
        }),
      },
      read: { how: 'guest-config' },
    };
  } catch (error) {
    if (signal.aborted) throw error;
    const why = `the guest's network configuration could not be read: ${(error as Error).message}`;
    return { vm, read: { how: 'none', problem: why.slice(0, 1000) } };
  } finally {
    clearInterval(alive);
  }
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
