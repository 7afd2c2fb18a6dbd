import { ErrorBox } from '../ui/error-box.tsx';
import { HealthTable } from './health-table.tsx';
import { useHealth } from './use-health.ts';

export function HealthPage() {
  const { data, error, loading, refetch } = useHealth(10_000);
  return (
    <section aria-labelledby="health-title">
      <div className="page-head">
        <h1 id="health-title">Health</h1>
        <button type="button" onClick={refetch} disabled={loading}>
          Check again
        </button>
      </div>
      <ErrorBox error={error} title="Health could not be read" />
      {data ? (
        <>
          <p>
            Overall: <strong data-testid="health-status">{data.health.status}</strong>
          </p>
          <HealthTable health={data.health} />
        </>
      ) : null}
    </section>
  );
}
