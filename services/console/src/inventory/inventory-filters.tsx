import { POWER_STATES, type Source } from '../api/types.ts';
import type { InventoryFilterForm } from './inventory-filter.ts';
import { SourceSelect } from '../ui/source-select.tsx';
import { TextField } from '../ui/text-field.tsx';

export function InventoryFilters({
  form,
  sources,
  onChange,
}: {
  form: InventoryFilterForm;
  sources: readonly Source[];
  onChange: (form: InventoryFilterForm) => void;
}) {
  return (
    <form
      className="filters"
      role="search"
      aria-label="Filter the inventory"
      onSubmit={(e) => e.preventDefault()}
    >
      <TextField
        label="Name"
        type="search"
        value={form.name}
        placeholder="name or key"
        onChange={(v) => onChange({ ...form, name: v })}
      />
      <SourceSelect
        value={form.source}
        sources={sources}
        onChange={(source) => onChange({ ...form, source })}
      />
      <label>
        <span>Power state</span>
        <select
          value={form.powerState}
          onChange={(e) =>
            onChange({ ...form, powerState: e.target.value as InventoryFilterForm['powerState'] })
          }
        >
          <option value="">Any</option>
          {POWER_STATES.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>Active job</span>
        <select
          value={form.activeJob}
          onChange={(e) =>
            onChange({ ...form, activeJob: e.target.value as InventoryFilterForm['activeJob'] })
          }
        >
          <option value="">Any</option>
          <option value="yes">Has an active job</option>
          <option value="no">No active job</option>
        </select>
      </label>
    </form>
  );
}
