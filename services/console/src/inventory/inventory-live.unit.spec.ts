import { describe, expect, it } from 'vitest';

import type { Vm } from '../api/types.ts';
import { applyJobToInventory } from './inventory-live.ts';

const vm = (key: string, activeJob: Vm['activeJob']): Vm => ({
  key,
  name: key,
  source: { kind: 'workstation', id: '/vms', key: 'workstation:/vms', reachable: true },
  cpus: 1,
  memoryMiB: 512,
  firmware: 'bios',
  secureBoot: false,
  guestOs: 'debian',
  powerState: 'poweredOff',
  hasSnapshots: false,
  disks: [],
  totalDiskBytes: 0,
  nics: [],
  labels: [],
  problems: [],
  stale: false,
  activeJob,
});

describe('applyJobToInventory', () => {
  const rows = [vm('a', { id: 'j1', state: 'PENDING', phase: 'PENDING' }), vm('b', null)];

  it('moves the held job to its new state in place', () => {
    const { vms, stale } = applyJobToInventory(rows, {
      id: 'j1',
      vmKey: 'a',
      state: 'CONVERTING',
      phase: 'CONVERTING',
      finished: false,
    });
    expect(stale).toBe(false);
    expect(vms[0]?.activeJob).toEqual({ id: 'j1', state: 'CONVERTING', phase: 'CONVERTING' });
    expect(vms[1]).toBe(rows[1]);
  });

  it('keeps the same rows when nothing the table shows changed', () => {
    const update = {
      id: 'j1',
      vmKey: 'a',
      state: 'PENDING',
      phase: 'PENDING',
      finished: false,
    } as const;
    expect(applyJobToInventory(rows, update).vms).toBe(rows);
  });

  it('asks for a refetch when a job starts or ends a hold', () => {
    expect(
      applyJobToInventory(rows, {
        id: 'j2',
        vmKey: 'b',
        state: 'PENDING',
        phase: 'PENDING',
        finished: false,
      }).stale,
    ).toBe(true);
    expect(
      applyJobToInventory(rows, {
        id: 'j1',
        vmKey: 'a',
        state: 'VERIFIED',
        phase: 'VERIFIED',
        finished: true,
      }).stale,
    ).toBe(true);
  });

  it('ignores jobs of VMs not listed, and finished jobs that held nothing', () => {
    expect(
      applyJobToInventory(rows, {
        id: 'j9',
        vmKey: 'z',
        state: 'PENDING',
        phase: 'PENDING',
        finished: false,
      }),
    ).toEqual({ vms: rows, stale: false });
    expect(
      applyJobToInventory(rows, {
        id: 'j0',
        vmKey: 'b',
        state: 'FAILED',
        phase: 'FAILED',
        finished: true,
      }).stale,
    ).toBe(false);
  });
});
