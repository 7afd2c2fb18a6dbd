import { MIGRATION_STATES, type MigrationState, type Source } from '../api/types.ts';
import { EMPTY_JOBS_FILTER, type JobsFilterForm } from './jobs-filter.ts';
import { SourceSelect } from '../ui/source-select.tsx';
import { TextField } from '../ui/text-field.tsx';

export function JobsFilters({
  form,
  sources,
  onChange,
}: {
  form: JobsFilterForm;
  sources: readonly Pick<Source, 'kind' | 'key'>[];
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
      <TextField
        label="VM name"
        type="search"
        value={form.vmName}
        onChange={(v) => onChange({ ...form, vmName: v })}
      />
      <SourceSelect
        value={form.source}
        sources={sources}
        byKind
        onChange={(source) => onChange({ ...form, source })}
      />
      <TextField
        label="Created after"
        type="datetime-local"
        value={form.createdAfter}
        onChange={(v) => onChange({ ...form, createdAfter: v })}
      />
      <TextField
        label="Created before"
        type="datetime-local"
        value={form.createdBefore}
        onChange={(v) => onChange({ ...form, createdBefore: v })}
      />
      <button type="button" className="secondary" onClick={() => onChange(EMPTY_JOBS_FILTER)}>
        Clear filters
      </button>
    </form>
  );
}
