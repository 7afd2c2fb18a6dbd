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
  /** Where it would be deployed, or why it cannot be; undefined when deployment is a dry run. */
  readonly target: TargetAnswer | undefined;
}

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
    inputs.target === undefined
      ? check('target', 'skipped', 'deployment is a dry run (ENABLE_OPENSTACK_DEPLOYMENT=false)')
      : 'problem' in inputs.target
        ? check(
            'target',
            'failed',
            `${inputs.target.problem.code}: ${inputs.target.problem.message}`,
          )
        : check(
            'target',
            'passed',
            `boot from ${inputs.target.bootMode}, flavor ${inputs.target.flavor.name}, network(s) ${inputs.target.networkIds.join(', ') || 'none'}`,
          ),
  ];
}
