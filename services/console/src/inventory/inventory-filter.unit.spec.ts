import { describe, expect, it } from 'vitest';

import { EMPTY_INVENTORY_FILTER, inventoryVariables } from './inventory-filter.ts';

describe('inventoryVariables', () => {
  it('sends no filter when nothing narrows the list', () => {
    expect(inventoryVariables(EMPTY_INVENTORY_FILTER)).toEqual({});
    expect(inventoryVariables({ ...EMPTY_INVENTORY_FILTER, name: '   ' })).toEqual({});
  });

  it('sends each field set, the name trimmed', () => {
    expect(
      inventoryVariables({
        name: ' web ',
        source: 'workstation:/vms',
        powerState: 'poweredOn',
        activeJob: 'no',
      }),
    ).toEqual({
      filter: {
        name: 'web',
        source: 'workstation:/vms',
        powerState: 'poweredOn',
        hasActiveJob: false,
      },
    });
    expect(inventoryVariables({ ...EMPTY_INVENTORY_FILTER, activeJob: 'yes' })).toEqual({
      filter: { hasActiveJob: true },
    });
  });
});
