import type { Health } from '../api/types.ts';

/** Every backend the gateway depends on, reachable or not. */
export function HealthTable({ health }: { health: Health }) {
  return (
    <table className="data compact" data-testid="health-table">
      <caption className="visually-hidden">Components</caption>
      <thead>
        <tr>
          <th scope="col">Component</th>
          <th scope="col">Status</th>
          <th scope="col">Latency</th>
          <th scope="col">Detail</th>
        </tr>
      </thead>
      <tbody>
        {health.components.map((c) => (
          <tr key={`${c.kind}:${c.name}`} data-ok={c.ok}>
            <th scope="row">
              {c.kind}
              {c.name !== c.kind ? <span className="muted"> {c.name}</span> : null}
            </th>
            <td>
              <span
                className={`pill ${c.ok ? 'ok' : c.status === 'not-configured' ? 'neutral' : 'bad'}`}
              >
                {c.status}
              </span>
            </td>
            <td className="num">{c.latencyMs != null ? `${Math.round(c.latencyMs)} ms` : '—'}</td>
            <td className="wrap">
              {[c.version, c.url, c.detail].filter(Boolean).join(' · ') || '—'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
