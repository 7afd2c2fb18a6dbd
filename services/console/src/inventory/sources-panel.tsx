import type { Source, UnreadableVm } from '../api/types.ts';

/** Which sources discovery reported on, and the .vmx files it could not read. */
export function SourcesPanel({
  sources,
  unreadable,
}: {
  sources: readonly Source[];
  unreadable: readonly UnreadableVm[];
}) {
  return (
    <div className="sources">
      <ul className="source-list" aria-label="Sources">
        {sources.map((s) => (
          <li key={s.key} data-testid="source" data-source={s.key} data-reachable={s.reachable}>
            <span className={`pill ${s.reachable ? 'ok' : 'bad'}`}>
              {s.reachable ? 'reachable' : 'unreachable'}
            </span>{' '}
            <code>{s.key}</code> <span className="muted num">{s.vmCount} VMs</span>
            {s.error ? <span className="error-text"> — {s.error}</span> : null}
          </li>
        ))}
        {sources.length === 0 ? <li className="muted">No source has reported yet.</li> : null}
      </ul>
      {unreadable.length > 0 ? (
        <details className="unreadable" data-testid="unreadable">
          <summary>
            {unreadable.length} unreadable .vmx file{unreadable.length === 1 ? '' : 's'}
          </summary>
          <ul>
            {unreadable.map((u) => (
              <li key={`${u.source.key}|${u.location}`}>
                <code>{u.location}</code> <span className="muted">({u.source.key})</span>: {u.error}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </div>
  );
}
