import type { Source } from '../api/types.ts';

/**
 * The filters' source choice: every source, one source by its key, or (with `byKind`) every source
 * of a kind, as the gateway reads a `source` filter.
 */
export function SourceSelect({
  value,
  sources,
  byKind = false,
  onChange,
}: {
  value: string;
  sources: readonly Pick<Source, 'kind' | 'key'>[];
  byKind?: boolean;
  onChange: (value: string) => void;
}) {
  const kinds = byKind ? [...new Set(sources.map((s) => s.kind))] : [];
  return (
    <label>
      <span>Source</span>
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">All sources</option>
        {kinds.map((kind) => (
          <option key={kind} value={kind}>
            every {kind} source
          </option>
        ))}
        {sources.map((s) => (
          <option key={s.key} value={s.key}>
            {s.key}
          </option>
        ))}
      </select>
    </label>
  );
}
