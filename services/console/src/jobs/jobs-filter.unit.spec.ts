import { describe, expect, it } from 'vitest';

import { EMPTY_JOBS_FILTER, localToIso, matchesFilter, migrationFilter } from './jobs-filter.ts';

describe('migrationFilter', () => {
  it('is empty when nothing narrows the list', () => {
    expect(migrationFilter(EMPTY_JOBS_FILTER)).toEqual({});
    expect(
      migrationFilter({ ...EMPTY_JOBS_FILTER, vmName: '  ', createdAfter: 'nonsense' }),
    ).toEqual({});
  });

  it('sends states, the trimmed name and the times in UTC', () => {
    const after = '2026-11-01T08:30';
    expect(
      migrationFilter({
        states: ['FAILED', 'ROLLED_BACK'],
        vmName: ' web ',
        source: 'esxi',
        createdAfter: after,
        createdBefore: '',
      }),
    ).toEqual({
      states: ['FAILED', 'ROLLED_BACK'],
      vmName: 'web',
      source: 'esxi',
      createdAfter: new Date(after).toISOString(),
    });
  });
});

describe('localToIso', () => {
  it('reads a datetime-local value in the local zone', () => {
    expect(localToIso('2026-01-02T03:04')).toBe(new Date(2026, 0, 2, 3, 4).toISOString());
  });
});

describe('matchesFilter', () => {
  const job = {
    state: 'CONVERTING',
    vmName: 'Web-01',
    createdAt: '2026-05-05T10:00:00Z',
    source: { key: 'esxi:esx01:443' },
  } as const;

  it('matches what the filter allows', () => {
    expect(matchesFilter(job, {})).toBe(true);
    expect(matchesFilter(job, { states: ['CONVERTING'], vmName: 'web' })).toBe(true);
    expect(matchesFilter(job, { source: 'esxi' })).toBe(true);
    expect(matchesFilter(job, { source: 'esxi:esx01:443' })).toBe(true);
    expect(
      matchesFilter(job, {
        createdAfter: '2026-05-05T09:00:00Z',
        createdBefore: '2026-05-05T11:00:00Z',
      }),
    ).toBe(true);
  });

  it('rejects another state, another name or another time', () => {
    expect(matchesFilter(job, { states: ['VERIFIED'] })).toBe(false);
    expect(matchesFilter(job, { vmName: 'db' })).toBe(false);
    expect(matchesFilter(job, { source: 'vcenter' })).toBe(false);
    expect(matchesFilter(job, { source: 'esxi:esx02:443' })).toBe(false);
    expect(matchesFilter(job, { source: 'esxi:esx01' })).toBe(false);
    expect(matchesFilter(job, { createdAfter: '2026-05-05T10:00:01Z' })).toBe(false);
    expect(matchesFilter(job, { createdBefore: '2026-05-05T09:59:59Z' })).toBe(false);
  });
});
