import { MIGRATION_STATES, type MigrationState } from '../api/types.ts';
import { EMPTY_JOBS_FILTER, type JobsFilterForm } from './jobs-filter.ts';

export function JobsFilters({
  form,
  onChange,
}: {
  form: JobsFilterForm;
  onChange: (form: JobsFilterForm) => void;
}) {
  const toggleState = (state: MigrationState, on: boolean) =>
    onChange({
      ...form,
      states: on
        ? MIGRATION_STATES.filter((s) => s === state || form.states.includes(s))
        : form.states.filter((s) => s !== state),
    });
  return (
    <form
      className="filters jobs-filters"
      role="search"
      aria-label="Filter the jobs"
      onSubmit={(e) => e.preventDefault()}
    >
      <fieldset className="states">
        <legend>States</legend>
        {MIGRATION_STATES.map((state) => (
          <label key={state} className="checkbox">
            <input
              type="checkbox"
              checked={form.states.includes(state)}
              onChange={(e) => toggleState(state, e.target.checked)}
            />
            <span>{state}</span>
          </label>
        ))}
      </fieldset>
      <label>
        <span>VM name</span>
        <input
          type="search"
          value={form.vmName}
          onChange={(e) => onChange({ ...form, vmName: e.target.value })}
        />
      </label>
      <label>
        <span>Created after</span>
        <input
          type="datetime-local"
          value={form.createdAfter}
          onChange={(e) => onChange({ ...form, createdAfter: e.target.value })}
        />
      </label>
      <label>
        <span>Created before</span>
        <input
          type="datetime-local"
          value={form.createdBefore}
          onChange={(e) => onChange({ ...form, createdBefore: e.target.value })}
        />
      </label>
      <button type="button" className="secondary" onClick={() => onChange(EMPTY_JOBS_FILTER)}>
        Clear filters
      </button>
    </form>
  );
}
