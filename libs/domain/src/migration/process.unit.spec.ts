import type { MigrationEvent } from '@ferry/contracts';
import { describe, expect, it } from 'vitest';
import { at, created, event, flagsOn, historyFor, jobId, vm } from './decider.fixtures.ts';
import { reactionNeedsJob, reactTo } from './process.ts';

const job = { vmKey: vm.key, flags: flagsOn };
const last = (events: readonly MigrationEvent[]) => events.at(-1) as MigrationEvent;
const failed = event(
  'MigrationFailed',
  { jobId, stage: 'conversion', code: 'missing-disk', message: 'gone', retryable: false },
  at(20),
);

describe('the process manager: given an event, then the next step', () => {
  it.each([
    ['MigrationCreated', created(), 'ValidateMigration'],
    ['MigrationValidated (passed)', last(historyFor.DISCOVERED), 'ConvertDisks'],
    ['ConversionCompleted', last(historyFor.CONVERTED), 'UploadImage'],
    ['ImageUploadCompleted', last(historyFor.UPLOADED), 'DeployServer'],
    ['ServerDeployed', last(historyFor.DEPLOYED), 'VerifyServer'],
    [
      'MigrationRetried',
      event('MigrationRetried', { jobId, attempt: 2, reason: 'again' }, at(30)),
      'ValidateMigration',
    ],
    [
      'RollbackRequested',
      event('RollbackRequested', { jobId, reason: 'again', requestedBy: 'op' }, at(31)),
      'RollBackMigration',
    ],
  ])('%s → %s', (_, given, command) => {
    expect(reactTo(given)).toEqual([{ kind: 'send', command }]);
  });

  it("an upload goes to the conversion host that holds the job's disks", () => {
    const converted = last(historyFor.CONVERTED) as Extract<
      MigrationEvent,
      { type: 'ConversionCompleted' }
    >;
    const onHost = { ...converted, data: { ...converted.data, host: 'conv-b' } };
    expect(reactTo(onHost)).toEqual([{ kind: 'send', command: 'UploadImage', host: 'conv-b' }]);
  });

  it('a failed validation is followed by its failure, not by a conversion', () => {
    const validatedFailed = event(
      'MigrationValidated',
      {
        jobId,
        vm,
        checks: [{ name: 'disks-present', outcome: 'failed', detail: 'missing' }],
        outcome: 'failed',
      },
      at(2),
    );
    expect(reactTo(validatedFailed)).toEqual([]);
  });

  it('a failure is rolled back when the job was created with rollback on', () => {
    expect(reactionNeedsJob(failed)).toBe(true);
    expect(reactTo(failed, job)).toEqual([{ kind: 'send', command: 'RollBackMigration' }]);
  });

  it('a failure with rollback off ends the job there: the VM is released as failed', () => {
    expect(reactTo(failed, { ...job, flags: { ...flagsOn, rollback: false } })).toEqual([
      { kind: 'release', vmKey: vm.key, reason: 'failed' },
    ]);
  });

  it('a verified or rolled-back job releases its VM', () => {
    expect(reactTo(last(historyFor.VERIFIED), job)).toEqual([
      { kind: 'release', vmKey: vm.key, reason: 'verified' },
    ]);
    expect(reactTo(last(historyFor.ROLLED_BACK), job)).toEqual([
      { kind: 'release', vmKey: vm.key, reason: 'rolled-back' },
    ]);
  });

  it('progress, upload start, rollback start and steps need no reaction', () => {
    const quiet = new Set([
      'ConversionStarted',
      'ConversionProgressed',
      'ImageUploadStarted',
      'RollbackStarted',
      'RollbackStepCompleted',
    ]);
    const events = historyFor.ROLLING_BACK.filter((e) => quiet.has(e.type));
    expect(new Set(events.map((e) => e.type))).toEqual(quiet);
    for (const e of events) expect(reactTo(e, job), e.type).toEqual([]);
  });

  it('a job retried before its end was reacted to keeps its VM claimed', () => {
    expect(reactTo(last(historyFor.ROLLED_BACK), { ...job, phase: 'PENDING' })).toEqual([]);
    expect(reactTo(last(historyFor.ROLLED_BACK), { ...job, phase: 'ROLLED_BACK' })).toEqual([
      { kind: 'release', vmKey: vm.key, reason: 'rolled-back' },
    ]);
  });

  it('an event whose reaction needs the job refuses to guess without it', () => {
    expect(() => reactTo(failed)).toThrow(/needs the job/);
  });
});
