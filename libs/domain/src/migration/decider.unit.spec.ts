import type { MigrationEvent } from '@ferry/contracts';
import { describe, expect, it } from 'vitest';
import { fold } from '../decider.ts';
import { IllegalStateError, type DomainErrorCode } from '../errors.ts';
import { DeciderSpecification } from '../testing/decider-specification.ts';
import { MIGRATION_COMMAND_TYPES, type MigrationCommandType } from './commands.ts';
import { migrationDecider } from './decider.ts';
import {
  artifact,
  diskImage,
  at,
  commandFor,
  created,
  event,
  historyFor,
  holder,
  jobId,
  vm,
} from './decider.fixtures.ts';
import { MIGRATION_PHASES, type MigrationPhase } from './state.ts';

/** A cell of the table: the exact events, or the code of the refusal. */
type Outcome = { readonly events: readonly MigrationEvent[] } | { readonly fails: DomainErrorCode };
const X: Outcome = { fails: 'ILLEGAL_STATE' };
const w = at(50);
const ok = (...events: MigrationEvent[]): Outcome => ({ events });
const failed = (stage: 'validation' | 'conversion' | 'upload' | 'deployment' | 'verification') =>
  ok(
    event(
      'MigrationFailed',
      { jobId, stage, code: 'boom', message: 'it broke', retryable: true },
      w,
    ),
  );
const cancelled = (stage: 'validation' | 'conversion' | 'upload' | 'deployment' | 'verification') =>
  ok(
    event('CancelRequested', { jobId, reason: 'wrong VM', requestedBy: 'operator' }, w),
    event(
      'MigrationFailed',
      {
        jobId,
        stage,
        code: 'cancelled',
        message: 'cancelled by operator: wrong VM',
        retryable: true,
      },
      w,
    ),
  );
const portRecorded = ok(
  event('ResourceRecorded', { jobId, resource: { kind: 'port', id: 'port-9' } }, w),
);

/**
 * Every phase against every command. The type makes a new phase or command without its row a
 * compile error, and the test below fails at run time too.
 */
const table: Record<MigrationPhase, Record<MigrationCommandType, Outcome>> = {
  // prettier-ignore
  Empty: { CreateMigration: ok({ ...created(), metadata: { ...created().metadata, commandId: w.commandId, causationId: w.commandId, occurredAt: w.now } }), RecordValidation: X, StartConversion: X, RecordConversionProgress: X, CompleteConversion: X, StartImageUpload: X, CompleteImageUpload: X, RecordResource: X, RecordServerDeployed: X, RecordVerification: X, FailMigration: X, CancelMigration: X, StartRollback: X, RecordRollbackStep: X, CompleteRollback: X, RetryMigration: X, ClaimStage: X, RenewLease: X, ReleaseStage: X, RequestRollback: X },
  // prettier-ignore
  PENDING: { CreateMigration: X, RecordValidation: ok(event('MigrationValidated', { jobId, vm, checks: [{ name: 'disks-present', outcome: 'passed', detail: '1 disk' }], outcome: 'passed' }, w)), StartConversion: X, RecordConversionProgress: X, CompleteConversion: X, StartImageUpload: X, CompleteImageUpload: X, RecordResource: X, RecordServerDeployed: X, RecordVerification: X, FailMigration: failed('validation'), CancelMigration: cancelled('validation'), StartRollback: X, RecordRollbackStep: X, CompleteRollback: X, RetryMigration: X, ClaimStage: ok(event('StageClaimed', { jobId, stage: 'validation', holder, leaseUntil: '2026-11-25T10:51:00.000Z', message: 'msg-1', takenOverFrom: null }, w)), RenewLease: { fails: 'LEASE_LOST' }, ReleaseStage: ok(), RequestRollback: X },
  // prettier-ignore
  DISCOVERED: { CreateMigration: X, RecordValidation: X, StartConversion: ok(event('ConversionStarted', { jobId, dryRun: false, strategy: 'qemu-img', commands: [['qemu-img', 'convert']], disks: [{ diskIndex: 0, path: '/vms/alpha/alpha.vmdk', capacityBytes: 2147483648 }] }, w)), RecordConversionProgress: X, CompleteConversion: X, StartImageUpload: X, CompleteImageUpload: X, RecordResource: X, RecordServerDeployed: X, RecordVerification: X, FailMigration: failed('conversion'), CancelMigration: cancelled('conversion'), StartRollback: X, RecordRollbackStep: X, CompleteRollback: X, RetryMigration: X, ClaimStage: ok(event('StageClaimed', { jobId, stage: 'conversion', holder, leaseUntil: '2026-11-25T10:51:00.000Z', message: 'msg-1', takenOverFrom: null }, w)), RenewLease: { fails: 'LEASE_LOST' }, ReleaseStage: ok(), RequestRollback: X },
  // prettier-ignore
  CONVERTING: { CreateMigration: X, RecordValidation: X, StartConversion: X, RecordConversionProgress: ok(event('ConversionProgressed', { jobId, diskIndex: 0, percent: 50 }, w)), CompleteConversion: ok(event('ConversionCompleted', { jobId, dryRun: false, artifacts: [artifact], reused: false, durationMs: 1000 }, w)), StartImageUpload: X, CompleteImageUpload: X, RecordResource: portRecorded, RecordServerDeployed: X, RecordVerification: X, FailMigration: failed('conversion'), CancelMigration: cancelled('conversion'), StartRollback: X, RecordRollbackStep: X, CompleteRollback: X, RetryMigration: X, ClaimStage: ok(event('StageClaimed', { jobId, stage: 'conversion', holder, leaseUntil: '2026-11-25T10:51:00.000Z', message: 'msg-1', takenOverFrom: null }, w)), RenewLease: { fails: 'LEASE_LOST' }, ReleaseStage: ok(), RequestRollback: X },
  // prettier-ignore
  CONVERTED: { CreateMigration: X, RecordValidation: X, StartConversion: X, RecordConversionProgress: X, CompleteConversion: X, StartImageUpload: ok(event('ImageUploadStarted', { jobId, dryRun: false, imageId: 'img-1', imageName: 'ferry-alpha' }, w)), CompleteImageUpload: X, RecordResource: portRecorded, RecordServerDeployed: X, RecordVerification: X, FailMigration: failed('upload'), CancelMigration: cancelled('upload'), StartRollback: X, RecordRollbackStep: X, CompleteRollback: X, RetryMigration: X, ClaimStage: ok(event('StageClaimed', { jobId, stage: 'upload', holder, leaseUntil: '2026-11-25T10:51:00.000Z', message: 'msg-1', takenOverFrom: null }, w)), RenewLease: { fails: 'LEASE_LOST' }, ReleaseStage: ok(), RequestRollback: X },
  // prettier-ignore
  UPLOADING: { CreateMigration: X, RecordValidation: X, StartConversion: X, RecordConversionProgress: X, CompleteConversion: X, StartImageUpload: X, CompleteImageUpload: ok(event('ImageUploadCompleted', { jobId, dryRun: false, imageId: 'img-1', checksum: 'b'.repeat(128), sizeBytes: 1048576, reused: false, durationMs: 500, disks: [diskImage] }, w)), RecordResource: portRecorded, RecordServerDeployed: X, RecordVerification: X, FailMigration: failed('upload'), CancelMigration: cancelled('upload'), StartRollback: X, RecordRollbackStep: X, CompleteRollback: X, RetryMigration: X, ClaimStage: ok(event('StageClaimed', { jobId, stage: 'upload', holder, leaseUntil: '2026-11-25T10:51:00.000Z', message: 'msg-1', takenOverFrom: null }, w)), RenewLease: { fails: 'LEASE_LOST' }, ReleaseStage: ok(), RequestRollback: X },
  // prettier-ignore
  UPLOADED: { CreateMigration: X, RecordValidation: X, StartConversion: X, RecordConversionProgress: X, CompleteConversion: X, StartImageUpload: X, CompleteImageUpload: X, RecordResource: portRecorded, RecordServerDeployed: ok(event('ServerDeployed', { jobId, dryRun: false, serverId: 'srv-1', flavor: 'm1.small', bootMode: 'image', networks: ['net-1'], ports: ['port-1'], volumes: [], reused: false }, w)), RecordVerification: X, FailMigration: failed('deployment'), CancelMigration: cancelled('deployment'), StartRollback: X, RecordRollbackStep: X, CompleteRollback: X, RetryMigration: X, ClaimStage: ok(event('StageClaimed', { jobId, stage: 'deployment', holder, leaseUntil: '2026-11-25T10:51:00.000Z', message: 'msg-1', takenOverFrom: null }, w)), RenewLease: { fails: 'LEASE_LOST' }, ReleaseStage: ok(), RequestRollback: X },
  // prettier-ignore
  DEPLOYED: { CreateMigration: X, RecordValidation: X, StartConversion: X, RecordConversionProgress: X, CompleteConversion: X, StartImageUpload: X, CompleteImageUpload: X, RecordResource: portRecorded, RecordServerDeployed: X, RecordVerification: ok(event('MigrationVerified', { jobId, outcome: 'verified', serverStatus: 'ACTIVE', durationMs: 3000 }, w)), FailMigration: failed('verification'), CancelMigration: cancelled('verification'), StartRollback: X, RecordRollbackStep: X, CompleteRollback: X, RetryMigration: X, ClaimStage: ok(event('StageClaimed', { jobId, stage: 'verification', holder, leaseUntil: '2026-11-25T10:51:00.000Z', message: 'msg-1', takenOverFrom: null }, w)), RenewLease: { fails: 'LEASE_LOST' }, ReleaseStage: ok(), RequestRollback: X },
  // prettier-ignore
  VERIFIED: { CreateMigration: X, RecordValidation: X, StartConversion: X, RecordConversionProgress: X, CompleteConversion: X, StartImageUpload: X, CompleteImageUpload: X, RecordResource: X, RecordServerDeployed: X, RecordVerification: X, FailMigration: X, CancelMigration: X, StartRollback: X, RecordRollbackStep: X, CompleteRollback: X, RetryMigration: X, ClaimStage: X, RenewLease: { fails: 'LEASE_LOST' }, ReleaseStage: ok(), RequestRollback: X },
  // prettier-ignore
  FAILED: { CreateMigration: X, RecordValidation: X, StartConversion: X, RecordConversionProgress: X, CompleteConversion: X, StartImageUpload: X, CompleteImageUpload: X, RecordResource: X, RecordServerDeployed: X, RecordVerification: X, FailMigration: X, CancelMigration: X, StartRollback: ok(event('RollbackStarted', { jobId, keep: [], resources: [{ kind: 'artifact', id: artifact.path }, { kind: 'image', id: 'img-1' }] }, w)), RecordRollbackStep: X, CompleteRollback: X, RetryMigration: X, ClaimStage: ok(event('StageClaimed', { jobId, stage: 'rollback', holder, leaseUntil: '2026-11-25T10:51:00.000Z', message: 'msg-1', takenOverFrom: null }, w)), RenewLease: { fails: 'LEASE_LOST' }, ReleaseStage: ok(), RequestRollback: ok(event('RollbackRequested', { jobId, reason: 'the cloud is back', requestedBy: 'operator' }, w)) },
  // prettier-ignore
  ROLLING_BACK: { CreateMigration: X, RecordValidation: X, StartConversion: X, RecordConversionProgress: X, CompleteConversion: X, StartImageUpload: X, CompleteImageUpload: X, RecordResource: X, RecordServerDeployed: X, RecordVerification: X, FailMigration: X, CancelMigration: X, StartRollback: X, RecordRollbackStep: ok(event('RollbackStepCompleted', { jobId, resource: { kind: 'image', id: 'img-1' }, outcome: 'deleted', detail: 'deleted' }, w)), CompleteRollback: { fails: 'VALIDATION' }, RetryMigration: X, ClaimStage: ok(event('StageClaimed', { jobId, stage: 'rollback', holder, leaseUntil: '2026-11-25T10:51:00.000Z', message: 'msg-1', takenOverFrom: null }, w)), RenewLease: { fails: 'LEASE_LOST' }, ReleaseStage: ok(), RequestRollback: ok(event('RollbackRequested', { jobId, reason: 'the cloud is back', requestedBy: 'operator' }, w)) },
  // prettier-ignore
  ROLLED_BACK: { CreateMigration: X, RecordValidation: X, StartConversion: X, RecordConversionProgress: X, CompleteConversion: X, StartImageUpload: X, CompleteImageUpload: X, RecordResource: X, RecordServerDeployed: X, RecordVerification: X, FailMigration: X, CancelMigration: X, StartRollback: X, RecordRollbackStep: X, CompleteRollback: X, RetryMigration: ok(event('MigrationRetried', { jobId, attempt: 2, reason: 'fixed the disk' }, w)), ClaimStage: X, RenewLease: { fails: 'LEASE_LOST' }, ReleaseStage: ok(), RequestRollback: ok(event('RollbackRequested', { jobId, reason: 'the cloud is back', requestedBy: 'operator' }, w)) },
};

const spec = DeciderSpecification.for(migrationDecider);

describe('migration decider: every phase × every command', () => {
  it('the table has a row for every phase and a cell for every command', () => {
    expect(Object.keys(table)).toEqual([...MIGRATION_PHASES]);
    for (const row of Object.values(table))
      expect(Object.keys(row)).toEqual([...MIGRATION_COMMAND_TYPES]);
  });

  it("each phase's history really leaves the job in that phase", () => {
    for (const phase of MIGRATION_PHASES)
      expect(fold(migrationDecider, historyFor[phase]).phase).toBe(phase);
  });

  for (const phase of MIGRATION_PHASES) {
    describe(`in ${phase}`, () => {
      for (const type of MIGRATION_COMMAND_TYPES) {
        const expected = table[phase][type];
        const command = commandFor(type, phase);
        const given = spec.given(historyFor[phase]).when(command);
        if ('events' in expected) {
          it(`${type} → ${expected.events.map((e) => e.type).join(', ')}; sent again with the same id → nothing`, () => {
            given.then(expected.events);
            spec
              .given([...historyFor[phase], ...expected.events])
              .when(command)
              .thenNothing();
          });
        } else if (expected.fails === 'ILLEGAL_STATE') {
          it(`${type} → refused, naming ${phase} and ${type}`, () => {
            given.thenFails('ILLEGAL_STATE', (error) => {
              expect(error).toBeInstanceOf(IllegalStateError);
              expect(error).toMatchObject({ state: phase, command: type });
              expect(error.message).toContain(`${type} is not allowed in state ${phase}`);
            });
          });
        } else {
          it(`${type} → refused: ${expected.fails}`, () => given.thenFails(expected.fails));
        }
      }

      it('any command already in its history, sent again, changes nothing', () => {
        for (const past of historyFor[phase]) {
          const again = {
            ...commandFor('RecordResource', phase),
            metadata: { ...at(0), commandId: past.metadata.commandId },
          };
          spec.given(historyFor[phase]).when(again).thenNothing();
        }
      });
    });
  }
});

describe('migration decider: who asked', () => {
  it('every event a command makes names the actor the command came for', () => {
    const actor = { kind: 'person', id: 'sub-7', name: 'Grace Hopper' } as const;
    let decided = 0;
    for (const phase of MIGRATION_PHASES)
      for (const type of MIGRATION_COMMAND_TYPES) {
        const command = commandFor(type, phase);
        const asked = { ...command, metadata: { ...command.metadata, actor } } as typeof command;
        let events: readonly MigrationEvent[];
        try {
          events = migrationDecider.decide(asked, fold(migrationDecider, historyFor[phase]));
        } catch {
          continue; // refused: nothing recorded, nobody to name
        }
        for (const e of events) expect(e.metadata.actor, `${phase} ${type}`).toEqual(actor);
        decided += events.length;
      }
    expect(decided).toBeGreaterThan(20);
  });
});
