import { describe, expect, it } from 'vitest';
import { MIGRATION_PHASES } from './state.ts';
import { at, created, historyFor } from './decider.fixtures.ts';
import { migrationDecider } from './decider.ts';
import { evolveJobView, initialJobView, type JobView } from './job-view.ts';
import { operatorRequests } from './operator-requests.ts';

const viewOf = (events: Parameters<typeof evolveJobView>[1][]) =>
  events.reduce(evolveJobView, initialJobView) as JobView;

describe('what an operator may ask of a job', () => {
  it('cancel while the job is active; retry once it is rolled back; its rollback again once failed; nothing otherwise', () => {
    const asked = Object.fromEntries(
      MIGRATION_PHASES.filter((p) => p !== 'Empty').map((phase) => [
        phase,
        operatorRequests(viewOf([...historyFor[phase]])),
      ]),
    );
    for (const phase of [
      'PENDING',
      'DISCOVERED',
      'CONVERTING',
      'CONVERTED',
      'UPLOADING',
      'DEPLOYED',
    ])
      expect(asked[phase], phase).toEqual({ cancel: true, retry: false, rerunRollback: false });
    expect(asked['VERIFIED']).toEqual({ cancel: false, retry: false, rerunRollback: false });
    for (const phase of ['FAILED', 'ROLLING_BACK'])
      expect(asked[phase], phase).toEqual({ cancel: false, retry: false, rerunRollback: true });
    expect(asked['ROLLED_BACK']).toEqual({ cancel: false, retry: true, rerunRollback: true });
  });

  it('retry a failed job at once when its rollback is off', () => {
    const off = { realConversion: true, openstackDeployment: true, rollback: false };
    const events = [created(off)];
    const fail = migrationDecider.decide(
      {
        type: 'FailMigration',
        data: { stage: 'validation', code: 'x', message: 'm', retryable: false },
        metadata: at(2),
      },
      events.reduce(migrationDecider.evolve, migrationDecider.initialState),
    );
    const failed = viewOf([...events, ...fail]);
    expect(operatorRequests(failed)).toEqual({ cancel: false, retry: true, rerunRollback: false });
  });
});
