import { VMDK_SUBFORMATS, type ValidationCheck, type VmDescription } from '@ferry/contracts';
import type { DeployTarget } from '@ferry/openstack';

const GiB = 1024 ** 3;
const gib = (bytes: number) => `${(bytes / GiB).toFixed(1)} GiB`;

/** Sub-formats qemu-img and virt-v2v read; ESXi's sparse snapshot formats are refused before anything is converted. */
const READABLE = new Set<string>(
  VMDK_SUBFORMATS.filter((f) => f !== 'vmfsSparse' && f !== 'seSparse' && f !== 'other'),
);

/** Where the VM would land, or why it cannot (a code and what OpenStack said). */
export type TargetAnswer =
  DeployTarget | { readonly problem: { readonly code: string; readonly message: string } };

export interface CheckInputs {
  /** Free bytes where the artifacts go. */
  readonly freeBytes: number;
  readonly outputDir: string;
  /** Where it would be deployed, or why it cannot be; undefined when the cloud was not asked. */
  readonly target: TargetAnswer | undefined;
  /** Deployment is off: what the target check finds is a preview, never a failure. */
  readonly dryRun: boolean;
  /** Why a dry run did not ask the cloud. */
  readonly notAsked: string;
}

/** In a dry run, what would fail a real run is told, as a warning: the dry run goes on. */
export const wouldFail = (check: ValidationCheck): ValidationCheck =>
  check.outcome === 'failed'
    ? {
        ...check,
        outcome: 'warning',
        detail: `a real run would fail here: ${check.detail}`.slice(0, 2048),
      }
    : check;

const placementOf = ({ placement }: DeployTarget) =>
  [
    placement.availabilityZone && `zone ${placement.availabilityZone}`,
    placement.securityGroupIds.length > 0 &&
      `security group(s) ${placement.securityGroupIds.join(', ')}`,
    placement.keyName && `key pair ${placement.keyName}`,
    placement.volumeTypeId && `volume type ${placement.volumeTypeId}`,
  ].filter(Boolean);

/**
 * Whether the VM, as read again from its source, can be migrated: each check with its outcome and
 * what it found. Pure; a failed check fails the job before any disk is touched.
 */
export function validationChecks(vm: VmDescription, inputs: CheckInputs): ValidationCheck[] {
  const capacity = vm.disks.reduce((sum, d) => sum + d.capacityBytes, 0);
  const unreadable = vm.disks.filter(
    (d) => d.subformat !== undefined && !READABLE.has(d.subformat),
  );
  const check = (name: string, outcome: ValidationCheck['outcome'], detail: string) => ({
    name,
    outcome,
    detail: detail.slice(0, 2048),
  });
  return [
    vm.disks.length === 0
      ? check('disks-present', 'failed', 'the VM has no disk to migrate')
      : vm.problems?.length
        ? check('disks-present', 'failed', vm.problems.join('; '))
        : check(
            'disks-present',
            'passed',
            `${vm.disks.length} disk(s), ${gib(capacity)} in all, every extent present and complete`,
          ),
    unreadable.length > 0
      ? check(
          'disk-formats',
          'failed',
          unreadable.map((d) => `${d.slot}: ${d.subformat} cannot be converted`).join('; '),
        )
      : check(
          'disk-formats',
          'passed',
          [...new Set(vm.disks.map((d) => d.subformat ?? 'vSphere disk'))].join(', ') || 'none',
        ),
    vm.powerState === 'poweredOff'
      ? check('power-state', 'passed', 'powered off')
      : vm.powerState === 'suspended'
        ? check(
            'power-state',
            'warning',
            'suspended: the disks are converted as they are and the memory state is lost; the guest boots as after a power cut',
          )
        : check(
            'power-state',
            'failed',
            'running: shut the VM down first (its disks are in use and would be copied inconsistent)',
          ),
    inputs.freeBytes >= capacity
      ? check(
          'free-space',
          'passed',
          `${gib(inputs.freeBytes)} free in ${inputs.outputDir}, at most ${gib(capacity)} needed`,
        )
      : check(
          'free-space',
          'warning',
          `${gib(inputs.freeBytes)} free in ${inputs.outputDir}; the disks hold up to ${gib(capacity)} (sparse images need only their data)`,
        ),
    targetCheck(inputs),
  ];
}

function targetCheck({ target, dryRun, notAsked }: CheckInputs): ValidationCheck {
  const preview = dryRun ? 'dry run (ENABLE_OPENSTACK_DEPLOYMENT=false), a real run would ' : '';
  if (target === undefined)
    return {
      name: 'target',
      outcome: 'skipped',
      detail: `deployment is a dry run and the cloud was not asked: ${notAsked}`.slice(0, 2048),
    };
  if ('problem' in target) {
    const failed: ValidationCheck = {
      name: 'target',
      outcome: 'failed',
      detail: `${target.problem.code}: ${target.problem.message}`.slice(0, 2048),
    };
    return dryRun ? wouldFail(failed) : failed;
  }
  return {
    name: 'target',
    outcome: 'passed',
    detail: [
      `${preview}boot from ${target.bootMode}, flavor ${target.flavor.name}`,
      `network(s) ${target.networkIds.join(', ') || 'none'}`,
      ...placementOf(target),
    ]
      .join(', ')
      .slice(0, 2048),
  };
}
