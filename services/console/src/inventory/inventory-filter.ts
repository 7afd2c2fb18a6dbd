import type { PowerState } from '../api/types.ts';

/** The inventory's filter as the form holds it: empty strings mean "any". */
export interface InventoryFilterForm {
  readonly name: string;
  readonly source: string;
  readonly powerState: PowerState | '';
  readonly activeJob: '' | 'yes' | 'no';
}

export const EMPTY_INVENTORY_FILTER: InventoryFilterForm = {
  name: '',
  source: '',
  powerState: '',
  activeJob: '',
};

/** The `inventory(filter:)` variables for a form: only what narrows the list is sent. */
export function inventoryVariables(form: InventoryFilterForm): {
  filter?: { name?: string; source?: string; powerState?: PowerState; hasActiveJob?: boolean };
} {
  const filter: {
    name?: string;
    source?: string;
    powerState?: PowerState;
    hasActiveJob?: boolean;
  } = {};
  const name = form.name.trim();
  if (name) filter.name = name;
  if (form.source) filter.source = form.source;
  if (form.powerState) filter.powerState = form.powerState;
  if (form.activeJob) filter.hasActiveJob = form.activeJob === 'yes';
  return Object.keys(filter).length > 0 ? { filter } : {};
}
