import type { InventoryEvent, VmDescription } from '@ferry/contracts';
import { describe, expect, it } from 'vitest';
import { vmDescription } from '../testing/vm-description.ts';
import { emptyInventory, evolveInventory, listInventory } from './view.ts';

const metadata = {
  commandId: 'c',
  correlationId: 'c',
  causationId: 'c',
  occurredAt: '2026-11-25T10:00:00Z',
};
const ws = { kind: 'workstation', id: '/vms' } as const;
const esx = { kind: 'esxi', id: 'esx1:443' } as const;
const vm = (key: string, source: VmDescription['source']) => vmDescription(key, { source });
const fold = (events: InventoryEvent[]) => evolveInventory(emptyInventory, events);

describe('inventory read model', () => {
  const seen: InventoryEvent[] = [
    { type: 'VmDiscovered', data: { vm: vm('b', ws) }, metadata },
    { type: 'VmDiscovered', data: { vm: vm('a', esx) }, metadata },
    { type: 'VmDiscovered', data: { vm: vm('c', ws) }, metadata },
    { type: 'VmVanished', data: { vmKey: 'c', source: ws }, metadata },
  ];

  it('lists every VM still there, by name', () => {
    expect(listInventory(fold(seen)).map((e) => [e.vm.key, e.stale])).toEqual([
      ['a', false],
      ['b', false],
    ]);
  });

  it('marks the VMs of an unreachable source stale, until it answers again', () => {
    const down = fold([
      ...seen,
      { type: 'InventorySourceUnreachable', data: { source: esx, error: 'timeout' }, metadata },
    ]);
    expect(listInventory(down).map((e) => [e.vm.key, e.stale])).toEqual([
      ['a', true],
      ['b', false],
    ]);
    const back = evolveInventory(down, [
      {
        type: 'InventoryRefreshed',
        data: { source: esx, vmCount: 1, problems: 0 },
        metadata,
      },
    ]);
    expect(listInventory(back).map((e) => e.stale)).toEqual([false, false]);
  });

  it('keeps unreadable .vmx files until a refresh of their source reports none', () => {
    const broken = fold([
      ...seen,
      {
        type: 'VmUnreadable',
        data: { source: ws, location: '/vms/x.vmx', error: 'not a text file' },
        metadata,
      },
    ]);
    expect([...broken.unreadable.keys()]).toEqual(['/vms/x.vmx']);
    expect(
      evolveInventory(broken, [
        {
          type: 'InventoryRefreshed',
          data: { source: ws, vmCount: 1, problems: 0 },
          metadata,
        },
      ]).unreadable.size,
    ).toBe(0);
  });

  it('folds a batch as it folds its events one by one, and leaves the model it was given as it was', () => {
    const events: InventoryEvent[] = [
      ...seen,
      { type: 'InventorySourceUnreachable', data: { source: esx, error: 'timeout' }, metadata },
      { type: 'VmUnreadable', data: { source: ws, location: '/x.vmx', error: 'e' }, metadata },
      { type: 'VmChanged', data: { vm: { ...vm('b', ws), cpus: 4 }, changed: ['cpus'] }, metadata },
      { type: 'InventoryRefreshed', data: { source: esx, vmCount: 1, problems: 0 }, metadata },
    ];
    const oneByOne = events.reduce((m, e) => evolveInventory(m, [e]), emptyInventory);
    const given = fold(events.slice(0, 3));
    const before = JSON.stringify([...given.vms]);
    const batch = evolveInventory(given, events.slice(3));
    expect(batch).toEqual(oneByOne);
    expect(JSON.stringify([...given.vms])).toBe(before);
    expect(emptyInventory.vms.size).toBe(0);
  });
});
