import type { MigrationEvent, Resource } from '@ferry/contracts';
import { resourceKey, withResources, type Job, type MigrationDecisionState } from './state.ts';

export const initialMigrationState: MigrationDecisionState = { phase: 'Empty', handled: new Set() };

/** Folds one event into the job. Pure: the same events always give the same state. */
export function evolve(
  state: MigrationDecisionState,
  event: MigrationEvent,
): MigrationDecisionState {
  const handled = new Set(state.handled).add(event.metadata.commandId);
  if (event.type === 'MigrationCreated') {
    const { jobId, vmKey, vmName, source, options, flags } = event.data;
    return {
      phase: 'PENDING',
      handled,
      job: { jobId, vmKey, vmName, source, options, flags, ...freshAttempt(1, []) },
    };
  }
  // Only MigrationCreated can start a job: any other event on an empty stream is ignored, not invented.
  if (state.phase === 'Empty') return state;
  const { job, phase } = state;
  const next = (
    p: Exclude<MigrationDecisionState['phase'], 'Empty'>,
    changes: Partial<Job> = {},
  ): MigrationDecisionState => ({
    phase: p,
    handled,
    job: { ...job, ...changes },
  });

  switch (event.type) {
    case 'MigrationValidated':
      return next(event.data.outcome === 'passed' ? 'DISCOVERED' : phase, {
        vm: event.data.vm,
        lease: null,
      });
    case 'ConversionStarted':
      return next('CONVERTING', {
        conversionDisks: event.data.disks.map((d) => d.diskIndex),
        convertedBy: event.data.strategy,
        progress: {},
      });
    case 'ConversionProgressed':
      return next(phase, {
        progress: { ...job.progress, [event.data.diskIndex]: event.data.percent },
      });
    case 'ConversionCompleted':
      return next('CONVERTED', {
        lease: null,
        artifacts: event.data.artifacts,
        progress: Object.fromEntries(job.conversionDisks.map((d) => [d, 100])),
        resources: withResources(
          job.resources,
          event.data.artifacts.map((a) => ({ kind: 'artifact', id: a.path })),
        ),
      });
    case 'ImageUploadStarted':
      return next('UPLOADING', {
        imageId: event.data.imageId,
        resources: withImage(job.resources, event.data.imageId),
      });
    case 'ImageUploadCompleted':
      return next('UPLOADED', {
        lease: null,
        artifacts: job.artifacts.map((a) => {
          const image = event.data.disks?.find((d) => d.diskIndex === a.diskIndex);
          return image ? { ...a, ...image } : a;
        }),
        imageId: event.data.imageId,
        resources: withImage(job.resources, event.data.imageId),
      });
    case 'ResourceRecorded':
      return next(phase, { resources: withResources(job.resources, [event.data.resource]) });
    case 'ServerDeployed': {
      const { serverId, ports, volumes } = event.data;
      const created: Resource[] = [
        ...volumes.map((id) => ({ kind: 'volume' as const, id })),
        ...ports.map((id) => ({ kind: 'port' as const, id })),
        ...(serverId === null ? [] : [{ kind: 'server' as const, id: serverId }]),
      ];
      return next('DEPLOYED', {
        serverId,
        resources: withResources(job.resources, created),
        lease: null,
      });
    }
    case 'MigrationVerified':
      return next('VERIFIED', { lease: null });
    case 'CancelRequested':
      return next(phase, { cancelRequested: true });
    case 'MigrationFailed':
      return next('FAILED', {
        failure: event.data,
        ...(event.data.holder !== undefined && event.data.holder === job.lease?.holder
          ? { lease: null }
          : {}),
      });
    case 'RollbackStarted':
      return next('ROLLING_BACK', {
        rollback: { keep: event.data.keep, resources: event.data.resources, steps: {} },
      });
    case 'RollbackStepCompleted': {
      const rollback = job.rollback;
      if (!rollback) return next(phase);
      const steps = { ...rollback.steps, [resourceKey(event.data.resource)]: event.data.outcome };
      return next(phase, { rollback: { ...rollback, steps } });
    }
    case 'RollbackCompleted':
      return next('ROLLED_BACK', { lease: null });
    case 'StageClaimed': {
      const { stage, holder, leaseUntil: until, message } = event.data;
      return next(phase, { lease: { stage, holder, until, message } });
    }
    case 'StageLeaseRenewed':
      return job.lease?.holder === event.data.holder
        ? next(phase, { lease: { ...job.lease, until: event.data.leaseUntil } })
        : next(phase);
    case 'StageReleased':
      return next(phase, job.lease?.holder === event.data.holder ? { lease: null } : {});
    case 'RollbackRequested':
      // A finished rollback starts again, with what it could not remove (or kept) still the job's.
      return phase === 'ROLLED_BACK'
        ? next('FAILED', { rollback: null, resources: remainingAfterRollback(job) })
        : next(phase);
    case 'MigrationRetried':
      return next('PENDING', {
        ...freshAttempt(event.data.attempt, remainingAfterRollback(job)),
        ...(event.data.options ? { options: event.data.options } : {}),
      });
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
    }
  }
}

/** Whatever rollback kept, or failed to delete, still exists and stays the job's to clean up. */
function remainingAfterRollback(job: Job): readonly Resource[] {
  const steps = job.rollback?.steps ?? {};
  return job.resources.filter((r) => {
    const outcome = steps[resourceKey(r)];
    return outcome === undefined || outcome === 'kept' || outcome === 'failed';
  });
}

function freshAttempt(attempt: number, resources: readonly Resource[]) {
  return {
    attempt,
    vm: null,
    conversionDisks: [],
    convertedBy: null,
    progress: {},
    artifacts: [],
    imageId: null,
    serverId: null,
    resources,
    cancelRequested: false,
    lease: null,
    failure: null,
    rollback: null,
  } satisfies Partial<Job>;
}

const withImage = (existing: readonly Resource[], imageId: string | null) =>
  imageId === null ? existing : withResources(existing, [{ kind: 'image', id: imageId }]);
