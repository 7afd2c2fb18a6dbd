import { ADMIN_QUERY } from '../api/operations.ts';
import { useQuery } from '../hooks/use-query.ts';
import { ErrorBox } from '../ui/error-box.tsx';
import { DeadLetters } from './dead-letters.tsx';
import { QuarantinedEvents } from './quarantined-events.tsx';

/** What only an admin sees: commands set aside in FERRY_DLQ, and commits the store could not read. */
export function AdminPage() {
  const { data, error, loading, refetch } = useQuery(ADMIN_QUERY);
  return (
    <section aria-labelledby="admin-title">
      <div className="page-head">
        <h1 id="admin-title">Admin</h1>
        <button type="button" onClick={refetch} disabled={loading}>
          Refresh
        </button>
      </div>
      <ErrorBox error={error} title="The admin view could not be read" />
      {data ? (
        <>
          <DeadLetters deadLetters={data.deadLetters} onReplayed={refetch} />
          <QuarantinedEvents quarantine={data.quarantine} />
        </>
      ) : null}
    </section>
  );
}
