import type { EventData, JobStage, MigrationEvent } from '@ferry/contracts';
import { isActivePhase, type Job, type MigrationPhase } from './state.ts';

/** The stage commands the process manager sends; each names only the job. */
export const STAGE_COMMANDS = [
  'ValidateMigration',
  'ConvertDisks',
  'UploadImage',
  'DeployServer',
  'VerifyServer',
  'RollBackMigration',
] as const;
export type StageCommand = (typeof STAGE_COMMANDS)[number];

/** The stage each stage command runs. */
export const STAGE_OF_COMMAND: Readonly<Record<StageCommand, JobStage>> = {
  ValidateMigration: 'validation',
  ConvertDisks: 'conversion',
  UploadImage: 'upload',
  DeployServer: 'deployment',
  VerifyServer: 'verification',
  RollBackMigration: 'rollback',
};

/** What follows an event: the next stage's command, or the VM set free because the job ended. */
export type Reaction =
  | {
      readonly kind: 'send';
      readonly command: StageCommand;
      /** The conversion host an upload is routed to: the one holding the job's converted disks. */
      readonly host?: string;
    }
  | {
      readonly kind: 'release';
      readonly vmKey: string;
      readonly reason: EventData<'VmReleased'>['reason'];
    };

/** Events whose reaction depends on the job (its flags, its VM), not on the event alone. */
const NEEDS_JOB = new Set<MigrationEvent['type']>([
  'MigrationVerified',
  'MigrationFailed',
  'RollbackCompleted',
]);
export const reactionNeedsJob = (event: MigrationEvent): boolean => NEEDS_JOB.has(event.type);

/**
 * The process manager's rule: what a job's event makes happen next. Pure; the caller supplies the
 * job (folded from its events, with its phase now) when `reactionNeedsJob` says so. A stage whose flag is off still
 * runs, as a dry run that says so, so every job ends in a recorded outcome.
 */
export function reactTo(
  event: MigrationEvent,
  job?: Pick<Job, 'vmKey' | 'flags'> & { readonly phase?: MigrationPhase },
): readonly Reaction[] {
  const send = (command: StageCommand): Reaction[] => [{ kind: 'send', command }];
  // A job retried since this event is active again: its VM stays claimed.
  const release = (reason: EventData<'VmReleased'>['reason']): Reaction[] => {
    const { vmKey, phase } = required(job, event);
    return phase !== undefined && isActivePhase(phase) ? [] : [{ kind: 'release', vmKey, reason }];
  };
  switch (event.type) {
    case 'MigrationCreated':
    case 'MigrationRetried':
      return send('ValidateMigration');
    case 'MigrationValidated':
      return event.data.outcome === 'passed' ? send('ConvertDisks') : [];
    case 'ConversionCompleted':
      // The disks stay on the host that converted them: their upload runs there.
      return event.data.host === undefined
        ? send('UploadImage')
        : [{ kind: 'send', command: 'UploadImage', host: event.data.host }];
    case 'ImageUploadCompleted':
      return send('DeployServer');
    case 'ServerDeployed':
      return send('VerifyServer');
    case 'MigrationVerified':
      return release('verified');
    case 'MigrationFailed': {
      return required(job, event).flags.rollback ? send('RollBackMigration') : release('failed');
    }
    case 'RollbackRequested':
      return send('RollBackMigration');
    case 'RollbackCompleted':
      return release('rolled-back');
    default:
      return [];
  }
}

function required<J>(job: J | undefined, event: MigrationEvent): J {
  if (!job) throw new Error(`reacting to ${event.type} needs the job`);
  return job;
}
