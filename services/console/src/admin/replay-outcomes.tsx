import type { ReplayDeadLettersMutation } from '../api/generated/graphql.ts';

/** What became of each dead letter asked to be replayed, announced as it comes. */
export function ReplayOutcomes({
  outcomes,
  error,
}: {
  outcomes: ReplayDeadLettersMutation['replayDeadLetters'] | undefined;
  error: string | undefined;
}) {
  const replayed = outcomes?.filter((o) => o.replayed).length ?? 0;
  return (
    <div aria-live="polite" data-testid="replay-result">
      {outcomes ? (
        <>
          <p className={`notice ${replayed === outcomes.length ? 'ok' : 'warn'}`}>
            {replayed} of {outcomes.length} replayed.
          </p>
          <ul>
            {outcomes.map((o) => (
              <li
                key={o.seq}
                data-testid="replay-outcome"
                data-seq={o.seq}
                data-replayed={o.replayed}
              >
                {o.replayed
                  ? `${o.seq}: sent again on ${o.subject ?? '?'}`
                  : `${o.seq}: not replayed: ${o.reason ?? 'no reason given'}`}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {error ? (
        <p className="error-box" role="alert">
          Replay failed: {error}
        </p>
      ) : null}
    </div>
  );
}
