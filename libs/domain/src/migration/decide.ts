import type { EventOf, MigrationEvent } from '@ferry/contracts';
import { eventMetadata } from '../decider.ts';
import {
  DomainValidationError,
  IllegalStateError,
  LeaseLostError,
  StageBusyError,
} from '../errors.ts';
import type { MigrationCommand, MigrationCommandType } from './commands.ts';
import {
  dryRuns,
  isActivePhase,
  LEASE_GRACE_MS,
  leaseIsLive,
  PHASES_OF_STAGE,
  resourceKey,
  STAGE_OF_PHASE,
  withResources,
  type ActiveJobState,
  type MigrationDecisionState,
  type MigrationPhase,
} from './state.ts';

/**
 * What anyone may send whatever the lease: an operator's requests, and the lease's own commands
 * (which look at the holder themselves). Everything else only the lease's holder may record, when the
 * sender says it runs under one; a command added later is fenced unless it is named here.
 */
const UNFENCED = new Set<MigrationCommandType>([
  'CreateMigration',
  'CancelMigration',
  'RetryMigration',
  'RequestRollback',
  'ClaimStage',
  'RenewLease',
  'ReleaseStage',
]);

const later = (now: string, ms: number) => new Date(Date.parse(now) + ms).toISOString();

type Emit = <T extends MigrationEvent['type']>(type: T, data: EventOf<T>['data']) => EventOf<T>;

/** What a command makes happen to a job, or why it may not. Pure: no clock, no ids, no I/O. */
export function decide(
  command: MigrationCommand,
  state: MigrationDecisionState,
): readonly MigrationEvent[] {
  // Re-delivery of a command already carried out changes nothing.
  if (state.handled.has(command.metadata.commandId)) return [];
  const metadata = eventMetadata(command.metadata);
  const emit: Emit = (type, data) => ({ type, data, metadata }) as never;

  if (command.type === 'CreateMigration') {
    if (state.phase !== 'Empty')
      throw new IllegalStateError(state.phase, command.type, 'the job already exists');
    return [emit('MigrationCreated', command.data)];
  }
  if (state.phase === 'Empty')
    throw new IllegalStateError('Empty', command.type, 'there is no such job');

  const { job } = state;
  const jobId = job.jobId;
  const dry = dryRuns(job.flags);
  const { holder, now } = command.metadata;
  // A holder whose lease lapsed (and was taken over) or ended records nothing more.
  if (holder !== undefined && !UNFENCED.has(command.type) && job.lease?.holder !== holder)
    throw new LeaseLostError(
      holder,
      `${command.type} refused: the lease is ${job.lease ? `${job.lease.holder}'s` : 'free'}`,
    );
  const only = (...phases: MigrationPhase[]) => {
    if (!phases.includes(state.phase)) throw new IllegalStateError(state.phase, command.type);
  };
  const invalid = (message: string) => new DomainValidationError(command.type, message);

  switch (command.type) {
    case 'RecordValidation': {
      only('PENDING');
      if (command.data.checks.length === 0) throw invalid('at least one check must be recorded');
      const failed = command.data.checks.filter((c) => c.outcome === 'failed');
      const validated = emit('MigrationValidated', {
        jobId,
        vm: command.data.vm,
        checks: command.data.checks,
        outcome: failed.length === 0 ? 'passed' : 'failed',
      });
      if (failed.length === 0) return [validated];
      const message = `validation failed: ${failed.map((c) => `${c.name} (${c.detail})`).join('; ')}`;
      return [
        validated,
        emit('MigrationFailed', {
          jobId,
          stage: 'validation',
          code: 'validation-failed',
          message: message.slice(0, 4096),
          retryable: false,
        }),
      ];
    }
    case 'StartConversion':
      only('DISCOVERED');
      if (command.data.disks.length === 0) throw invalid('a conversion needs at least one disk');
      return [emit('ConversionStarted', { jobId, dryRun: dry.conversion, ...command.data })];
    case 'RecordConversionProgress': {
      only('CONVERTING');
      const { diskIndex, percent } = command.data;
      if (!job.conversionDisks.includes(diskIndex))
        throw invalid(`disk ${diskIndex} is not being converted`);
      if (percent <= (job.progress[diskIndex] ?? -1)) return [];
      return [emit('ConversionProgressed', { jobId, ...command.data })];
    }
    case 'CompleteConversion': {
      only('CONVERTING');
      const { artifacts } = command.data;
      if (dry.conversion && artifacts.length > 0) throw invalid('a dry run produces no artifacts');
      const expected = [...job.conversionDisks].sort().join(',');
      const got = artifacts
        .map((a) => a.diskIndex)
        .sort()
        .join(',');
      if (!dry.conversion && got !== expected)
        throw invalid(
          `artifacts for disks [${got}] do not match the disks converted [${expected}]`,
        );
      return [emit('ConversionCompleted', { jobId, dryRun: dry.conversion, ...command.data })];
    }
    case 'StartImageUpload':
      only('CONVERTED');
      requireIdUnlessDryRun(command.data.imageId, dry.deployment, 'image', invalid);
      return [emit('ImageUploadStarted', { jobId, dryRun: dry.deployment, ...command.data })];
    case 'CompleteImageUpload':
      only('UPLOADING');
      requireIdUnlessDryRun(command.data.imageId, dry.deployment, 'image', invalid);
      for (const disk of command.data.disks ?? []) {
        const artifact = job.artifacts.find((a) => a.diskIndex === disk.diskIndex);
        if (!artifact) throw invalid(`disk ${disk.diskIndex} has no artifact`);
        // An artifact's bytes are what they were when first sent, or the images are not its.
        if (artifact.sha256 !== undefined && artifact.sha256 !== disk.sha256)
          throw invalid(
            `disk ${disk.diskIndex} was sent with sha256 ${disk.sha256}, not the ${artifact.sha256} recorded for its artifact`,
          );
      }
      return [emit('ImageUploadCompleted', { jobId, dryRun: dry.deployment, ...command.data })];
    case 'RecordResource':
      only('CONVERTING', 'CONVERTED', 'UPLOADING', 'UPLOADED', 'DEPLOYED');
      if (job.resources.some((r) => resourceKey(r) === resourceKey(command.data.resource)))
        return [];
      return [emit('ResourceRecorded', { jobId, resource: command.data.resource })];
    case 'RecordServerDeployed':
      only('UPLOADED');
      requireIdUnlessDryRun(command.data.serverId, dry.deployment, 'server', invalid);
      return [emit('ServerDeployed', { jobId, dryRun: dry.deployment, ...command.data })];
    case 'RecordVerification': {
      only('DEPLOYED');
      const dryRun = dry.conversion || dry.deployment;
      if (!dryRun && command.data.serverStatus !== 'ACTIVE') {
        throw invalid(
          `a server in status ${command.data.serverStatus ?? 'none'} is not verified; record a failure instead`,
        );
      }
      return [
        emit('MigrationVerified', {
          jobId,
          outcome: dryRun ? 'dry-run' : 'verified',
          ...command.data,
        }),
      ];
    }
    case 'FailMigration': {
      const stage = activeStage(state, command.type);
      if (command.data.stage !== stage) {
        throw new IllegalStateError(
          state.phase,
          command.type,
          `a ${command.data.stage} failure arrived while the job is in ${stage}`,
        );
      }
      // Its holder reporting the failure has stopped: the lease ends with it, and rollback need not wait.
      return [
        emit('MigrationFailed', {
          jobId,
          ...command.data,
          ...(holder === undefined ? {} : { holder }),
        }),
      ];
    }
    case 'CancelMigration': {
      const stage = activeStage(state, command.type);
      return [
        emit('CancelRequested', { jobId, ...command.data }),
        emit('MigrationFailed', {
          jobId,
          stage,
          code: 'cancelled',
          message: `cancelled by ${command.data.requestedBy}: ${command.data.reason}`.slice(
            0,
            4096,
          ),
          retryable: true,
        }),
      ];
    }
    case 'StartRollback':
      only('FAILED');
      if (!job.flags.rollback)
        throw new IllegalStateError(state.phase, command.type, 'rollback is disabled for this job');
      return [
        emit('RollbackStarted', {
          jobId,
          keep: command.data.keep,
          resources: withResources(job.resources, command.data.found ?? []),
        }),
      ];
    case 'RecordRollbackStep': {
      only('ROLLING_BACK');
      const key = resourceKey(command.data.resource);
      const rollback = job.rollback;
      if (!rollback?.resources.some((r) => resourceKey(r) === key))
        throw invalid(`${key} is not among the resources being rolled back`);
      const previous = rollback.steps[key];
      // A step settled for good is not recorded twice; only a failed one may be tried again.
      if (previous !== undefined && previous !== 'failed') return [];
      return [emit('RollbackStepCompleted', { jobId, ...command.data })];
    }
    case 'CompleteRollback': {
      only('ROLLING_BACK');
      const rollback = job.rollback;
      if (!rollback) throw invalid('no rollback is under way');
      const pending = rollback.resources
        .map(resourceKey)
        .filter((k) => rollback.steps[k] === undefined);
      if (pending.length > 0) throw invalid(`resources not yet dealt with: ${pending.join(', ')}`);
      const outcomes = Object.values(rollback.steps);
      const count = (o: string) => outcomes.filter((x) => x === o).length;
      return [
        emit('RollbackCompleted', {
          jobId,
          outcome: count('failed') > 0 ? 'incomplete' : 'complete',
          deleted: count('deleted'),
          alreadyAbsent: count('already-absent'),
          kept: count('kept'),
          failed: count('failed'),
        }),
      ];
    }
    case 'ClaimStage': {
      const { stage, leaseMs, message } = command.data;
      if (holder === undefined) throw invalid('a claim names its holder');
      if (!PHASES_OF_STAGE[stage].includes(state.phase))
        throw new IllegalStateError(state.phase, command.type, `the job has no ${stage} to run`);
      const lease = job.lease;
      if (lease?.holder === holder) return [];
      if (lease && leaseIsLive(lease, now))
        throw new StageBusyError(
          lease.stage,
          lease.holder,
          lease.message,
          later(lease.until, LEASE_GRACE_MS),
        );
      return [
        emit('StageClaimed', {
          jobId,
          stage,
          holder,
          leaseUntil: later(now, leaseMs),
          message,
          takenOverFrom: lease?.holder ?? null,
        }),
      ];
    }
    case 'RenewLease': {
      const { stage, leaseMs } = command.data;
      if (holder === undefined) throw invalid('a renewal names its holder');
      const lease = job.lease;
      if (lease?.holder !== holder || lease.stage !== stage)
        throw new LeaseLostError(holder, lease ? `${lease.holder} holds it` : 'it was released');
      if (!PHASES_OF_STAGE[stage].includes(state.phase))
        throw new LeaseLostError(holder, `the job is ${state.phase}: its ${stage} is over`);
      return [emit('StageLeaseRenewed', { jobId, stage, holder, leaseUntil: later(now, leaseMs) })];
    }
    case 'ReleaseStage': {
      const { stage, reason } = command.data;
      if (holder === undefined || job.lease?.holder !== holder) return [];
      return [emit('StageReleased', { jobId, stage, holder, reason })];
    }
    case 'RequestRollback':
      only('FAILED', 'ROLLING_BACK', 'ROLLED_BACK');
      if (!job.flags.rollback)
        throw new IllegalStateError(state.phase, command.type, 'rollback is disabled for this job');
      return [emit('RollbackRequested', { jobId, ...command.data })];
    case 'RetryMigration':
      // A failed job with rollback disabled will never be rolled back, so it may be retried as it is.
      if (!(state.phase === 'ROLLED_BACK' || (state.phase === 'FAILED' && !job.flags.rollback))) {
        throw new IllegalStateError(
          state.phase,
          command.type,
          'only a rolled-back job (or a failed one with rollback disabled) can be retried',
        );
      }
      return [
        emit('MigrationRetried', {
          jobId,
          attempt: job.attempt + 1,
          reason: command.data.reason,
          // Edit and retry: the options given replace the job's, the others stay.
          ...(command.data.options ? { options: { ...job.options, ...command.data.options } } : {}),
        }),
      ];
    default: {
      const unhandled: never = command;
      throw new Error(`unhandled command ${JSON.stringify(unhandled)}`);
    }
  }
}

function activeStage(state: ActiveJobState, command: string) {
  const stage = STAGE_OF_PHASE[state.phase];
  if (!isActivePhase(state.phase) || stage === undefined)
    throw new IllegalStateError(state.phase, command, 'the job is not active');
  return stage;
}

function requireIdUnlessDryRun(
  id: string | null,
  dryRun: boolean,
  what: string,
  invalid: (m: string) => Error,
) {
  if (dryRun && id !== null) throw invalid(`a dry run creates no ${what}, so it has no ${what} id`);
  if (!dryRun && id === null) throw invalid(`the ${what} id is required`);
}
