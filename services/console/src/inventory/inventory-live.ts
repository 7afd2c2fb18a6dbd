import type { MigrationSummary, Vm } from '../api/types.ts';

/**
 * Folds a job update into the inventory's rows. The VM whose active job it is takes its new state;
 * when the update starts or ends a VM's hold (a new job, or the held job finished), the rows can't
 * tell the whole story and the caller should refetch (`stale: true`).
 */
export function applyJobToInventory(
  vms: readonly Vm[],
  job: Pick<MigrationSummary, 'id' | 'vmKey' | 'state' | 'phase' | 'finished'>,
): { readonly vms: readonly Vm[]; readonly stale: boolean } {
  const at = vms.findIndex((vm) => vm.key === job.vmKey);
  const vm = vms[at];
  if (!vm) return { vms, stale: false };
  const holds = vm.activeJob?.id === job.id;
  if (job.finished) return { vms, stale: holds };
  if (!holds) return { vms, stale: true };
  const { activeJob } = vm;
  if (activeJob && activeJob.state === job.state && activeJob.phase === job.phase) {
    return { vms, stale: false };
  }
  const next = [...vms];
  next[at] = { ...vm, activeJob: { id: job.id, state: job.state, phase: job.phase } };
  return { vms: next, stale: false };
}
