import { describe, expect, it } from 'vitest';
import { ViewSpecification } from '../testing/decider-specification.ts';
import {
  artifact,
  at,
  created,
  diskImage,
  event,
  historyFor,
  jobId,
  vm,
} from './decider.fixtures.ts';
import {
  evolveJobView,
  initialJobView,
  isJobFinished,
  type JobStage,
  type StageTiming,
} from './job-view.ts';

const view = ViewSpecification.for(evolveJobView, initialJobView);
const fold = (events: Parameters<typeof evolveJobView>[1][]) =>
  events.reduce(evolveJobView, initialJobView);
const last = <T>(items: readonly T[]) => items[items.length - 1] as T;
const timing = (
  stage: JobStage,
  from: number,
  to: number | null,
  outcome: StageTiming['outcome'] = 'done',
): StageTiming => ({
  stage,
  startedAt: at(from).now,
  endedAt: to === null ? null : at(to).now,
  durationMs: to === null ? null : (to - from) * 60_000,
  outcome,
});

describe('job view', () => {
  it('starts PENDING when the job is created, its validation under way', () => {
    view
      .given([])
      .when(created())
      .then({
        state: 'PENDING',
        phase: 'PENDING',
        job: expect.objectContaining({ jobId, vmKey: vm.key, vmName: vm.name, attempt: 1 }),
        createdAt: at(1).now,
        updatedAt: at(1).now,
        events: 1,
        stages: [timing('validation', 1, null, 'running')],
        dryRun: false,
      });
  });

  it('ignores events of a job it has not seen created', () => {
    view.given([]).when(last(historyFor.CONVERTING)).thenUnchanged();
  });

  it('times each stage of a verified job from the times its events carry', () => {
    view
      .given(historyFor.DEPLOYED)
      .when(last(historyFor.VERIFIED))
      .then({
        state: 'VERIFIED',
        updatedAt: at(9).now,
        events: 9,
        stages: [
          timing('validation', 1, 2),
          timing('conversion', 3, 5),
          timing('upload', 6, 7),
          timing('deployment', 7, 8),
          timing('verification', 8, 9),
        ],
        job: expect.objectContaining({
          imageId: 'img-1',
          serverId: 'srv-1',
          artifacts: [{ ...artifact, ...diskImage }],
        }),
        conversion: expect.objectContaining({
          strategy: 'qemu-img',
          commands: [['qemu-img', 'convert']],
          disks: [expect.objectContaining({ diskIndex: 0, percent: 100 })],
        }),
        uploaded: expect.objectContaining({ checksum: 'b'.repeat(128), at: at(7).now }),
        deployment: expect.objectContaining({ flavor: 'm1.small', ports: ['port-1'] }),
        verification: expect.objectContaining({
          outcome: 'verified',
          serverStatus: 'ACTIVE',
        }),
        dryRun: false,
      });
    expect(isJobFinished(fold([...historyFor.VERIFIED]) ?? expect.fail())).toBe(true);
  });

  it('shows each disk at the highest percentage recorded, with the bytes done', () => {
    view
      .given(historyFor.CONVERTING)
      .when(event('ConversionProgressed', { jobId, diskIndex: 0, percent: 5, bytesDone: 7 }, at(5)))
      .then({
        state: 'CONVERTING',
        conversion: expect.objectContaining({
          disks: [
            {
              diskIndex: 0,
              path: vm.disks[0]?.path,
              capacityBytes: 2147483648,
              percent: 10,
              bytesDone: 7,
            },
          ],
        }),
      });
  });

  it('records the failure, the failed stage, and each rollback step until ROLLED_BACK', () => {
    view
      .given(historyFor.ROLLING_BACK.concat(historyFor.ROLLED_BACK.slice(-2, -1)))
      .when(last(historyFor.ROLLED_BACK))
      .then({
        state: 'ROLLED_BACK',
        failure: expect.objectContaining({
          stage: 'upload',
          code: 'glance-error',
          at: at(10).now,
        }),
        stages: [
          timing('validation', 1, 2),
          timing('conversion', 3, 5),
          timing('upload', 6, 10, 'failed'),
          timing('rollback', 11, 14),
        ],
        rollback: {
          startedAt: at(11).now,
          steps: [
            expect.objectContaining({
              resource: { kind: 'artifact', id: artifact.path },
              outcome: 'deleted',
              at: at(12).now,
            }),
            expect.objectContaining({
              resource: { kind: 'image', id: 'img-1' },
              outcome: 'deleted',
              at: at(13).now,
            }),
          ],
          completed: expect.objectContaining({ outcome: 'complete', deleted: 2 }),
        },
      });
  });

  it('times a stage that failed before it started from the end of the stage before it', () => {
    view
      .given(historyFor.DISCOVERED)
      .when(
        event(
          'MigrationFailed',
          { jobId, stage: 'conversion', code: 'no-disk', message: 'gone', retryable: false },
          at(7),
        ),
      )
      .then({
        state: 'FAILED',
        stages: [timing('validation', 1, 2), timing('conversion', 2, 7, 'failed')],
      });
  });

  it('a failed job is finished only when its rollback is off', () => {
    const failedWith = (rollback: boolean) =>
      fold([created({ ...created().data.flags, rollback }), ...historyFor.FAILED.slice(1)]);
    expect(failedWith(true)?.state).toBe('FAILED');
    expect(isJobFinished(failedWith(true) ?? expect.fail())).toBe(false);
    expect(isJobFinished(failedWith(false) ?? expect.fail())).toBe(true);
  });

  it('says plainly when the job was a dry run', () => {
    const flagsOff = { realConversion: false, openstackDeployment: false, rollback: true };
    view
      .given([created(flagsOff), ...historyFor.DEPLOYED.slice(1)])
      .when(
        event(
          'MigrationVerified',
          { jobId, outcome: 'dry-run', serverStatus: null, durationMs: 0 },
          at(9),
        ),
      )
      .then({
        state: 'VERIFIED',
        dryRun: true,
        verification: expect.objectContaining({ outcome: 'dry-run' }),
      });
  });

  it('a retry starts a new attempt: PENDING again, the last attempt’s stages and failure gone', () => {
    view
      .given(historyFor.ROLLED_BACK)
      .when(event('MigrationRetried', { jobId, attempt: 2, reason: 'fixed' }, at(20)))
      .then({
        state: 'PENDING',
        job: expect.objectContaining({ attempt: 2 }),
        createdAt: at(1).now,
        updatedAt: at(20).now,
        stages: [timing('validation', 20, null, 'running')],
        failure: null,
        rollback: null,
        conversion: null,
      });
  });
});
