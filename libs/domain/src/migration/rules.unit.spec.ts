import { describe, expect, it } from 'vitest';
import { fold } from '../decider.ts';
import { DeciderSpecification } from '../testing/decider-specification.ts';
import type { MigrationCommand } from './commands.ts';
import { migrationDecider } from './decider.ts';
import {
  artifact,
  at,
  diskImage,
  commandFor,
  created,
  event,
  flagsOn,
  historyFor,
  jobId,
  vm,
} from './decider.fixtures.ts';
import { migrationStatus, type MigrationPhase } from './state.ts';

const spec = DeciderSpecification.for(migrationDecider);
const w = at(50);
const command = (
  type: MigrationCommand['type'],
  data: unknown,
  phase: MigrationPhase = 'PENDING',
) => ({ ...commandFor(type, phase), data }) as MigrationCommand;

/** The same history as `historyFor`, but for a job created with other flags. */
const withFlags = (phase: MigrationPhase, flags: typeof flagsOn) =>
  historyFor[phase].map((e) => (e.type === 'MigrationCreated' ? created(flags) : e));

describe('validation', () => {
  it('a failed check fails the job in the same commit, naming the check', () => {
    const checks = [
      { name: 'disks-present', outcome: 'failed', detail: 'alpha.vmdk is missing' },
      { name: 'powered-off', outcome: 'passed', detail: 'poweredOff' },
    ] as const;
    spec
      .given(historyFor.PENDING)
      .when(command('RecordValidation', { vm, checks }))
      .then([
        event('MigrationValidated', { jobId, vm, checks, outcome: 'failed' }, w),
        event(
          'MigrationFailed',
          {
            jobId,
            stage: 'validation',
            code: 'validation-failed',
            message: 'validation failed: disks-present (alpha.vmdk is missing)',
            retryable: false,
          },
          w,
        ),
      ]);
  });

  it('a validation with no checks is refused', () => {
    spec
      .given(historyFor.PENDING)
      .when(command('RecordValidation', { vm, checks: [] }))
      .thenFails('VALIDATION');
  });

  it('a warning does not fail the job', () => {
    const checks = [{ name: 'powered-off', outcome: 'warning', detail: 'suspended' }] as const;
    spec
      .given(historyFor.PENDING)
      .when(command('RecordValidation', { vm, checks }))
      .then([event('MigrationValidated', { jobId, vm, checks, outcome: 'passed' }, w)]);
  });
});

describe('progress never moves backwards', () => {
  const progress = (percent: number) =>
    command('RecordConversionProgress', { diskIndex: 0, percent }, 'CONVERTING');
  const at60 = [
    ...historyFor.CONVERTING,
    event('ConversionProgressed', { jobId, diskIndex: 0, percent: 60 }, at(30)),
  ];

  it('a lower or equal percentage (a late message) records nothing', () => {
    spec.given(at60).when(progress(40)).thenNothing();
    spec.given(at60).when(progress(60)).thenNothing();
  });

  it('a higher one is recorded', () => {
    spec
      .given(at60)
      .when(progress(61))
      .then([event('ConversionProgressed', { jobId, diskIndex: 0, percent: 61 }, w)]);
  });

  it('progress of a disk not being converted is refused', () => {
    spec
      .given(at60)
      .when(command('RecordConversionProgress', { diskIndex: 7, percent: 10 }, 'CONVERTING'))
      .thenFails('VALIDATION');
  });

  it('conversion must deliver an artifact for exactly the disks it converted', () => {
    spec
      .given(historyFor.CONVERTING)
      .when(
        command(
          'CompleteConversion',
          { artifacts: [], reused: false, durationMs: 1 },
          'CONVERTING',
        ),
      )
      .thenFails('VALIDATION');
    const extra = [artifact, { ...artifact, diskIndex: 1, path: '/out/job-1/disk-1.qcow2' }];
    spec
      .given(historyFor.CONVERTING)
      .when(
        command(
          'CompleteConversion',
          { artifacts: extra, reused: false, durationMs: 1 },
          'CONVERTING',
        ),
      )
      .thenFails('VALIDATION');
  });
});

describe("an artifact's hash is the upload's", () => {
  const completion = (sha256: string) => ({
    imageId: 'img-1',
    checksum: 'b'.repeat(128),
    sizeBytes: 1048576,
    reused: false,
    durationMs: 500,
    disks: [{ ...diskImage, sha256 }],
  });
  const complete = (sha256: string) =>
    command('CompleteImageUpload', completion(sha256), 'UPLOADING');

  it("the sha256 of what was sent and Glance's hash are recorded on the artifact", () => {
    const uploaded = fold(migrationDecider, historyFor.UPLOADED);
    expect(uploaded.phase === 'UPLOADED' && uploaded.job.artifacts).toEqual([
      { ...artifact, ...diskImage },
    ]);
  });

  it('an artifact sent with other bytes than its recorded hash is refused', () => {
    const hashedBefore = historyFor.UPLOADING.map((e) =>
      e.type === 'ConversionCompleted'
        ? { ...e, data: { ...e.data, artifacts: [{ ...artifact, sha256: 'c'.repeat(64) }] } }
        : e,
    );
    spec
      .given(hashedBefore)
      .when(complete('d'.repeat(64)))
      .thenFails('VALIDATION', (e) =>
        expect(e.message).toContain(`not the ${'c'.repeat(64)} recorded for its artifact`),
      );
    spec
      .given(hashedBefore)
      .when(complete('c'.repeat(64)))
      .then([
        event('ImageUploadCompleted', { jobId, dryRun: false, ...completion('c'.repeat(64)) }, w),
      ] as never);
  });
});

describe('a late or stale message cannot move a job backwards', () => {
  it('a failure of an earlier stage is refused once the job has moved on', () => {
    const late = command(
      'FailMigration',
      { stage: 'conversion', code: 'timeout', message: 'late', retryable: true },
      'UPLOADING',
    );
    spec
      .given(historyFor.UPLOADING)
      .when(late)
      .thenFails('ILLEGAL_STATE', (e) =>
        expect(e.message).toContain('a conversion failure arrived while the job is in upload'),
      );
  });

  it('a duplicate resource is recorded once', () => {
    const port = command(
      'RecordResource',
      { resource: { kind: 'port', id: 'port-9' } },
      'UPLOADED',
    );
    const history = [
      ...historyFor.UPLOADED,
      event('ResourceRecorded', { jobId, resource: { kind: 'port', id: 'port-9' } }, at(30)),
    ];
    spec.given(history).when(port).thenNothing();
  });
});

describe('dry runs: a stage whose flag is off says so and pretends nothing', () => {
  const noConversion = { ...flagsOn, realConversion: false };
  const noDeployment = { ...flagsOn, openstackDeployment: false };

  it('conversion off: the command that would run is recorded as a dry run, with no artifacts', () => {
    const started = spec
      .given(withFlags('DISCOVERED', noConversion))
      .when(commandFor('StartConversion', 'DISCOVERED'));
    started.then([
      event(
        'ConversionStarted',
        {
          jobId,
          dryRun: true,
          strategy: 'qemu-img',
          commands: [['qemu-img', 'convert']],
          disks: [{ diskIndex: 0, path: '/vms/alpha/alpha.vmdk', capacityBytes: 2147483648 }],
        },
        w,
      ),
    ]);
    const converting = [
      ...withFlags('DISCOVERED', noConversion),
      event(
        'ConversionStarted',
        {
          jobId,
          dryRun: true,
          strategy: 'qemu-img',
          commands: [],
          disks: [{ diskIndex: 0, path: 'x', capacityBytes: 1 }],
        },
        at(30),
      ),
    ];
    spec
      .given(converting)
      .when(commandFor('CompleteConversion', 'CONVERTING'))
      .thenFails('VALIDATION', (e) =>
        expect(e.message).toContain('a dry run produces no artifacts'),
      );
    spec
      .given(converting)
      .when(
        command(
          'CompleteConversion',
          { artifacts: [], reused: false, durationMs: 0 },
          'CONVERTING',
        ),
      )
      .then([
        event(
          'ConversionCompleted',
          { jobId, dryRun: true, artifacts: [], reused: false, durationMs: 0 },
          w,
        ),
      ]);
  });

  it('deployment off: no image or server id may be claimed, and the end is a dry-run outcome', () => {
    spec
      .given(withFlags('CONVERTED', noDeployment))
      .when(commandFor('StartImageUpload', 'CONVERTED'))
      .thenFails('VALIDATION');
    spec
      .given(withFlags('CONVERTED', noDeployment))
      .when(command('StartImageUpload', { imageId: null, imageName: 'ferry-alpha' }))
      .then([
        event(
          'ImageUploadStarted',
          { jobId, dryRun: true, imageId: null, imageName: 'ferry-alpha' },
          w,
        ),
      ]);
    spec
      .given(withFlags('UPLOADED', noDeployment))
      .when(commandFor('RecordServerDeployed', 'UPLOADED'))
      .thenFails('VALIDATION');
    spec
      .given(withFlags('DEPLOYED', noDeployment))
      .when(command('RecordVerification', { serverStatus: null, durationMs: 0 }))
      .then([
        event(
          'MigrationVerified',
          { jobId, outcome: 'dry-run', serverStatus: null, durationMs: 0 },
          w,
        ),
      ]);
  });

  it('a real run is verified only by an ACTIVE server', () => {
    spec
      .given(historyFor.DEPLOYED)
      .when(command('RecordVerification', { serverStatus: 'ERROR', durationMs: 10 }))
      .thenFails('VALIDATION');
  });
});

describe('rollback', () => {
  const rollingBack = historyFor.ROLLING_BACK;
  const step = (
    kind: 'artifact' | 'image',
    id: string,
    outcome: 'deleted' | 'failed' | 'already-absent',
    n: number,
  ) =>
    event(
      'RollbackStepCompleted',
      { jobId, resource: { kind, id }, outcome, detail: outcome },
      at(n),
    );

  it("records what was created, in the job's events, as the resources to remove", () => {
    const state = fold(migrationDecider, historyFor.DEPLOYED);
    expect(state.phase === 'DEPLOYED' && state.job.resources).toEqual([
      { kind: 'artifact', id: artifact.path },
      { kind: 'image', id: 'img-1' },
      { kind: 'port', id: 'port-1' },
      { kind: 'server', id: 'srv-1' },
    ]);
  });

  it('resources found by their marks join those the events recorded, each once', () => {
    spec
      .given(historyFor.FAILED)
      .when(
        command(
          'StartRollback',
          {
            keep: ['artifact'],
            found: [
              { kind: 'image', id: 'img-1' },
              { kind: 'image', id: 'img-orphan', name: 'alpha' },
              { kind: 'image', id: 'img-orphan' },
            ],
          },
          'FAILED',
        ),
      )
      .then([
        event(
          'RollbackStarted',
          {
            jobId,
            keep: ['artifact'],
            resources: [
              { kind: 'artifact', id: artifact.path },
              { kind: 'image', id: 'img-1' },
              { kind: 'image', id: 'img-orphan', name: 'alpha' },
            ],
          },
          w,
        ),
      ]);
  });

  it('a settled step is not recorded twice; a failed one may be tried again', () => {
    const artifactAgain = command(
      'RecordRollbackStep',
      { resource: { kind: 'artifact', id: artifact.path }, outcome: 'deleted', detail: 'again' },
      'ROLLING_BACK',
    );
    spec.given(rollingBack).when(artifactAgain).thenNothing();
    const afterFailure = [...rollingBack, step('image', 'img-1', 'failed', 30)];
    spec
      .given(afterFailure)
      .when(commandFor('RecordRollbackStep', 'ROLLING_BACK'))
      .then([
        event(
          'RollbackStepCompleted',
          {
            jobId,
            resource: { kind: 'image', id: 'img-1' },
            outcome: 'deleted',
            detail: 'deleted',
          },
          w,
        ),
      ]);
  });

  it('a step for something the job never created is refused', () => {
    spec
      .given(rollingBack)
      .when(
        command('RecordRollbackStep', {
          resource: { kind: 'server', id: 'someone-elses' },
          outcome: 'deleted',
          detail: '',
        }),
      )
      .thenFails('VALIDATION');
  });

  it('completes with counts, incomplete when a step failed', () => {
    spec
      .given([...rollingBack, step('image', 'img-1', 'failed', 30)])
      .when(commandFor('CompleteRollback', 'ROLLING_BACK'))
      .then([
        event(
          'RollbackCompleted',
          { jobId, outcome: 'incomplete', deleted: 1, alreadyAbsent: 0, kept: 0, failed: 1 },
          w,
        ),
      ]);
    spec
      .given([...rollingBack, step('image', 'img-1', 'already-absent', 30)])
      .when(commandFor('CompleteRollback', 'ROLLING_BACK'))
      .then([
        event(
          'RollbackCompleted',
          { jobId, outcome: 'complete', deleted: 1, alreadyAbsent: 1, kept: 0, failed: 0 },
          w,
        ),
      ]);
  });

  it('with rollback disabled, a failed job is not rolled back but may be retried as it is', () => {
    const noRollback = withFlags('FAILED', { ...flagsOn, rollback: false });
    spec
      .given(noRollback)
      .when(commandFor('StartRollback', 'FAILED'))
      .thenFails('ILLEGAL_STATE', (e) => expect(e.message).toContain('rollback is disabled'));
    spec
      .given(noRollback)
      .when(commandFor('RetryMigration', 'FAILED'))
      .then([event('MigrationRetried', { jobId, attempt: 2, reason: 'fixed the disk' }, w)]);
  });
});

describe('retry', () => {
  it('starts a new attempt in PENDING and keeps the whole history', () => {
    const retried = [
      ...historyFor.ROLLED_BACK,
      event('MigrationRetried', { jobId, attempt: 2, reason: 'again' }, at(40)),
    ];
    const state = fold(migrationDecider, retried);
    expect(state.phase).toBe('PENDING');
    if (state.phase === 'Empty') throw new Error('unreachable');
    expect(state.job.attempt).toBe(2);
    expect(state.job.failure).toBeNull();
    expect(state.job.resources).toEqual([]);
    // every command of every attempt is remembered, so nothing from attempt 1 can act again
    for (const e of historyFor.ROLLED_BACK)
      expect(state.handled.has(e.metadata.commandId)).toBe(true);
  });

  it("edit and retry: the options given replace the job's, the others stay, for the new attempt", () => {
    const edited: MigrationCommand = {
      type: 'RetryMigration',
      data: { reason: 'fixed the disk', options: { flavor: 'm1.large', securityGroups: ['web'] } },
      metadata: commandFor('RetryMigration', 'ROLLED_BACK').metadata,
    };
    const options = { ...created().data.options, flavor: 'm1.large', securityGroups: ['web'] };
    spec
      .given(historyFor.ROLLED_BACK)
      .when(edited)
      .then([
        event('MigrationRetried', { jobId, attempt: 2, reason: 'fixed the disk', options }, w),
      ]);
    const state = fold(migrationDecider, [
      ...historyFor.ROLLED_BACK,
      event('MigrationRetried', { jobId, attempt: 2, reason: 'bigger', options }, at(40)),
    ]);
    if (state.phase === 'Empty') throw new Error('unreachable');
    expect(state.job.options).toEqual(options);
  });
});

describe('the state operators see', () => {
  it("hides the finer phases behind the seed's names", () => {
    expect(migrationStatus('CONVERTED')).toBe('CONVERTING');
    expect(migrationStatus('UPLOADED')).toBe('UPLOADING');
    expect(migrationStatus('ROLLING_BACK')).toBe('FAILED');
    expect(migrationStatus('VERIFIED')).toBe('VERIFIED');
  });
});
