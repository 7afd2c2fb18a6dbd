import type { InventoryEvent } from '@ferry/contracts';
import { vmDescription } from '@ferry/domain/testing/vm';
import type { RecordedEvent } from '@ferry/event-store';
import { describe, expect, it } from 'vitest';
import { InventoryReadModel } from './inventory-read-model.ts';

let revision = 0;
const discovered = (name: string) =>
  ({
    id: `e${revision}`,
    revision: revision++,
    type: 'VmDiscovered',
    data: { vm: vmDescription(`k-${name}`, { name }) },
    metadata: {
      commandId: 'c',
      correlationId: 'c',
      causationId: 'c',
      occurredAt: '2026-12-07T10:00:00Z',
    },
  }) as unknown as RecordedEvent<InventoryEvent>;

describe('inventory read model', () => {
  it('sorts its list once per change, not per query, and counts without listing', () => {
    const model = new InventoryReadModel();
    model.applyInventory(['web-2', 'db-1', 'web-10'].map(discovered));
    const first = model.list();
    expect(first.map((e) => e.vm.name)).toEqual(['db-1', 'web-10', 'web-2']);
    expect(model.list()).toBe(first);
    expect(model.size).toBe(3);

    model.applyInventory([discovered('app-1')]);
    expect(model.list()).not.toBe(first);
    expect(model.list().map((e) => e.vm.name)).toEqual(['app-1', 'db-1', 'web-10', 'web-2']);
    expect(model.size).toBe(4);
  });
});
