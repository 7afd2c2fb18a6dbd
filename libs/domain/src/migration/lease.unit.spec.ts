import type { MigrationEvent } from '@ferry/contracts';
import { describe, expect, it } from 'vitest';
import { fold, type CommandContext } from '../decider.ts';
import { LeaseLostError, StageBusyError } from '../errors.ts';
import { DeciderSpecification } from '../testing/decider-specification.ts';
import type { MigrationCommand } from './commands.ts';
import { migrationDecider } from './decider.ts';
import { artifact, event, historyFor, jobId } from './decider.fixtures.ts';

const spec = DeciderSpecification.for(migrationDecider);
const A = 'conversion-a';
const B = 'conversion-b';
/** A command sent at `time` (HH:MM:SS on the fixtures' day), by `holder` if given. */
const by = (
  holder: string | undefined,
  time: string,
  id = `${holder}-${time}`,
): CommandContext => ({
  commandId: id,
  correlationId: 'corr-1',
  now: `2026-11-25T${time}Z`,
  ...(holder === undefined ? {} : { holder }),
});
const claimed = (holder: string, time: string, until: string, from: string | null = null) =>
  event(
    'StageClaimed',
    {
      jobId,
      stage: 'conversion',
      holder,
      leaseUntil: `2026-11-25T${until}.000Z`,
      message: `msg-${holder}`,
      takenOverFrom: from,
    },
    by(holder, time),
  );
const claim = (holder: string, time: string): MigrationCommand => ({
  type: 'ClaimStage',
  data: { stage: 'conversion', leaseMs: 60_000, message: `msg-${holder}` },
  metadata: by(holder, time),
});
const discovered = historyFor.DISCOVERED;
const heldByA = [...discovered, claimed(A, '11:00:00', '11:01:00')];

describe('stage leases: one place runs a stage at a time', () => {
  it('a free stage is claimed until now + the lease', () => {
    spec
      .given(discovered)
      .when(claim(A, '11:00:00'))
      .then([claimed(A, '11:00:00', '11:01:00')]);
  });

  it('a live lease refuses another claim, saying who holds it, from which message, and when it lapses', () => {
    spec
      .given(heldByA)
      .when(claim(B, '11:01:10'))
      .thenFails('BUSY', (error) => {
        expect(error).toBeInstanceOf(StageBusyError);
        expect(error).toMatchObject({
          stage: 'conversion',
          holder: A,
          workingFrom: `msg-${A}`,
          lapsesAt: '2026-11-25T11:01:15.000Z',
        });
      });
  });

  it('a lease past its end and the grace after it is taken over, naming the old holder', () => {
    spec
      .given(heldByA)
      .when(claim(B, '11:01:15'))
      .then([claimed(B, '11:01:15', '11:02:15', A)]);
  });

  it("its holder's claim again changes nothing", () => {
    spec.given(heldByA).when(claim(A, '11:00:30')).thenNothing();
  });

  it('the holder renews it; anyone else, or after the job moved on, is told the lease is lost', () => {
    const renew = (holder: string, time: string): MigrationCommand => ({
      type: 'RenewLease',
      data: { stage: 'conversion', leaseMs: 60_000 },
      metadata: by(holder, time),
    });
    spec
      .given(heldByA)
      .when(renew(A, '11:00:40'))
      .then([
        event(
          'StageLeaseRenewed',
          { jobId, stage: 'conversion', holder: A, leaseUntil: '2026-11-25T11:01:40.000Z' },
          by(A, '11:00:40'),
        ),
      ]);
    spec.given(heldByA).when(renew(B, '11:00:40')).thenFails('LEASE_LOST');
    const cancelled = cancelledAt(heldByA, '11:00:20');
    spec
      .given(cancelled)
      .when(renew(A, '11:00:40'))
      .thenFails('LEASE_LOST', (e) => expect(e).toBeInstanceOf(LeaseLostError));
  });

  it("what a holder records needs the lease: a lapsed holder's late result is refused", () => {
    const complete = (holder: string): MigrationCommand => ({
      type: 'CompleteConversion',
      data: { artifacts: [artifact], reused: false, durationMs: 1 },
      metadata: by(holder, '11:03:00'),
    });
    const takenOver = [
      ...historyFor.CONVERTING,
      claimed(A, '11:00:00', '11:01:00'),
      claimed(B, '11:01:15', '11:02:15', A),
    ];
    spec.given(takenOver).when(complete(A)).thenFails('LEASE_LOST');
    const done = migrationDecider.decide(complete(B), fold(migrationDecider, takenOver));
    expect(done.map((e) => e.type)).toEqual(['ConversionCompleted']);
    const after = fold(migrationDecider, [...takenOver, ...done]);
    expect(after.phase === 'CONVERTED' && after.job.lease).toBeNull();
  });

  it('a failure its holder reports ends its lease', () => {
    const fail: MigrationCommand = {
      type: 'FailMigration',
      data: { stage: 'conversion', code: 'tool-failed', message: 'exit 1', retryable: false },
      metadata: by(A, '11:00:30'),
    };
    const failed = event(
      'MigrationFailed',
      {
        jobId,
        stage: 'conversion',
        code: 'tool-failed',
        message: 'exit 1',
        retryable: false,
        holder: A,
      },
      by(A, '11:00:30'),
    );
    spec.given(heldByA).when(fail).then([failed]);
    const after = fold(migrationDecider, [...heldByA, failed]);
    expect(after.phase === 'FAILED' && after.job.lease).toBeNull();
  });

  it('after a cancel, rollback waits for the stage to stop: busy until its holder lets go', () => {
    const cancelled = cancelledAt(heldByA, '11:00:20');
    const rollback = (time: string): MigrationCommand => ({
      type: 'ClaimStage',
      data: { stage: 'rollback', leaseMs: 60_000, message: 'msg-r' },
      metadata: by('rollback-r', time),
    });
    spec.given(cancelled).when(rollback('11:00:21')).thenFails('BUSY');
    const released = event(
      'StageReleased',
      { jobId, stage: 'conversion', holder: A, reason: 'cancelled' },
      by(A, '11:00:25'),
    );
    const claimedNow = migrationDecider.decide(
      rollback('11:00:26'),
      fold(migrationDecider, [...cancelled, released]),
    );
    expect(claimedNow).toMatchObject([
      { type: 'StageClaimed', data: { stage: 'rollback', takenOverFrom: null } },
    ]);
  });

  it('a rollback asked for again after it finished starts over with what is left', () => {
    const rolledBack = historyFor.ROLLED_BACK;
    const again = migrationDecider.decide(
      {
        type: 'RequestRollback',
        data: { reason: 'again', requestedBy: 'operator' },
        metadata: by(undefined, '12:00:00'),
      },
      fold(migrationDecider, rolledBack),
    );
    const state = fold(migrationDecider, [...rolledBack, ...again]);
    expect(state.phase).toBe('FAILED');
    const started = migrationDecider.decide(
      { type: 'StartRollback', data: { keep: [] }, metadata: by(undefined, '12:00:01') },
      state,
    );
    // Both were deleted the first time: nothing of the job's is left to remove.
    expect(started).toMatchObject([{ type: 'RollbackStarted', data: { resources: [] } }]);
  });
});

function cancelledAt(history: readonly MigrationEvent[], time: string): MigrationEvent[] {
  const cancel: MigrationCommand = {
    type: 'CancelMigration',
    data: { reason: 'wrong VM', requestedBy: 'operator' },
    metadata: by(undefined, time, `cancel-${time}`),
  };
  return [
    ...history,
    ...migrationDecider.decide(cancel, fold(migrationDecider, history)),
  ] as MigrationEvent[];
}
