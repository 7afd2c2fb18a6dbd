import type { SourceRef } from '@ferry/contracts';
import {
  isJobFinished,
  operatorRequests,
  sourceKey,
  type InventoryEntry,
  type JobView,
} from '@ferry/domain';
import type { SourceStatus } from '../read-model/inventory-read-model.ts';

/** A source as the schema shows it: whether it answered discovery's last refresh. */
export function toSource(source: SourceRef, status: SourceStatus | undefined) {
  return {
    kind: source.kind,
    id: source.id,
    key: sourceKey(source),
    reachable: status?.reachable ?? true,
    error: status?.error ?? null,
    vmCount: status?.vmCount ?? 0,
  };
}

const unique = (ids: readonly (string | null | undefined)[]) => [
  ...new Set(ids.filter((id): id is string => typeof id === 'string')),
];

/** A job's view as the schema's Migration (its timeline is resolved apart: it is read from the store). */
export function toMigration(view: JobView, status: SourceStatus | undefined) {
  const { job } = view;
  const recorded = (kind: string) => job.resources.filter((r) => r.kind === kind).map((r) => r.id);
  const rollback = view.rollback;
  const requests = operatorRequests(view);
  return {
    id: job.jobId,
    state: view.state,
    phase: view.phase,
    finished: isJobFinished(view),
    canCancel: requests.cancel,
    canRetry: requests.retry,
    canRerunRollback: requests.rerunRollback,
    vmKey: job.vmKey,
    vmName: job.vmName,
    source: toSource(job.source, status),
    attempt: job.attempt,
    dryRun: view.dryRun,
    options: {
      ...job.options,
      // Jobs created before these options existed asked for neither.
      keepIps: job.options.keepIps ?? false,
      availabilityZone: job.options.availabilityZone ?? null,
      securityGroups: job.options.securityGroups ?? [],
      keyName: job.options.keyName ?? null,
      volumeType: job.options.volumeType ?? null,
      serverName: job.options.serverName ?? null,
      networkMapping: Object.entries(job.options.networkMapping).map(([source, target]) => ({
        source,
        target,
      })),
    },
    flags: job.flags,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
    stages: view.stages,
    disks: view.conversion?.disks ?? [],
    validation: view.validation && {
      outcome: view.validation.outcome,
      checks: view.validation.checks,
      at: view.validation.at,
    },
    conversion: view.conversion && {
      strategy: view.conversion.strategy,
      dryRun: view.conversion.dryRun,
      commands: view.conversion.commands.map((argv) => argv.join(' ')),
      startedAt: view.conversion.at,
      completedAt: view.converted?.at ?? null,
    },
    artifacts: job.artifacts,
    imageId: job.imageId,
    imageIds: unique([job.imageId, ...recorded('image')]),
    serverId: job.serverId,
    ports: unique([...(view.deployment?.ports ?? []), ...recorded('port')]),
    volumes: unique([...(view.deployment?.volumes ?? []), ...recorded('volume')]),
    resources: job.resources,
    error: view.failure && {
      stage: view.failure.stage,
      code: view.failure.code,
      message: view.failure.message,
      retryable: view.failure.retryable,
      at: view.failure.at,
    },
    rollback: rollback && {
      startedAt: rollback.startedAt,
      outcome: rollback.completed?.outcome ?? null,
      completedAt: rollback.completed?.at ?? null,
      steps: rollback.steps.map((s) => ({
        kind: s.resource.kind,
        id: s.resource.id,
        name: s.resource.name ?? null,
        outcome: s.outcome,
        detail: s.detail,
        at: s.at,
      })),
    },
    eventCount: view.events,
  };
}
export type MigrationNode = ReturnType<typeof toMigration>;

/** A discovered VM as the schema's Vm (its active job is resolved apart). */
export function toVm({ vm, stale }: InventoryEntry, status: SourceStatus | undefined) {
  return {
    ...vm,
    uuid: vm.uuid ?? null,
    source: toSource(vm.source, status),
    totalDiskBytes: vm.disks.reduce((sum, d) => sum + d.capacityBytes, 0),
    disks: vm.disks.map((d) => ({
      ...d,
      subformat: d.subformat ?? null,
      chainLength: d.chainLength ?? null,
    })),
    labels: Object.entries(vm.labels ?? {}).map(([key, value]) => ({ key, value })),
    problems: vm.problems ?? [],
    stale,
  };
}
export type VmNode = ReturnType<typeof toVm>;
