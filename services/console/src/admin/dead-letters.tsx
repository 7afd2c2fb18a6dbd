import { useState } from 'react';

import { REPLAY_DEAD_LETTERS } from '../api/operations.ts';
import type { AdminQuery } from '../api/generated/graphql.ts';
import { formatTime } from '../format/time.ts';
import { useMutation } from '../hooks/use-mutation.ts';
import { jobHref } from '../router/route.ts';
import { ColumnHeads } from '../ui/column-heads.tsx';
import { toggled } from '../ui/toggled.ts';
import { ReplayOutcomes } from './replay-outcomes.tsx';

const COLUMNS = [
  { label: 'Seq', numeric: true },
  { label: 'When' },
  { label: 'Command' },
  { label: 'Job' },
  { label: 'Deliveries', numeric: true },
  { label: 'Reason' },
];

/** FERRY_DLQ's last dead letters; the ones picked are replayed in one request, then re-read. */
export function DeadLetters({
  deadLetters: { totalCount, letters },
  onReplayed,
}: {
  deadLetters: AdminQuery['deadLetters'];
  onReplayed: () => void;
}) {
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const replay = useMutation(REPLAY_DEAD_LETTERS);
  // Only what is still listed: a letter replayed elsewhere leaves the selection with the list.
  const picked = letters.filter((l) => selected.has(l.seq)).map((l) => l.seq);
  const allPicked = letters.length > 0 && picked.length === letters.length;

  const send = async () => {
    if (await replay.run({ seqs: picked })) {
      setSelected(new Set());
      onReplayed();
    }
  };

  return (
    <section aria-labelledby="dead-letters-title" data-testid="dead-letters">
      <h2 id="dead-letters-title">Dead letters</h2>
      <p>
        Commands set aside after they could not succeed, or failed every delivery:{' '}
        <strong data-testid="dead-letter-count">{totalCount}</strong> in FERRY_DLQ
        {totalCount > letters.length ? `, the last ${letters.length} shown` : ''}. A replay sends
        each again where it was sent.
      </p>
      {letters.length === 0 ? (
        <p className="muted">No dead letters.</p>
      ) : (
        <div className="table-scroll">
          <table className="data">
            <caption className="visually-hidden">Dead letters, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">
                  <input
                    type="checkbox"
                    aria-label="Select every dead letter shown"
                    checked={allPicked}
                    onChange={(e) =>
                      setSelected(
                        toggled(
                          selected,
                          letters.map((l) => l.seq),
                          e.target.checked,
                        ),
                      )
                    }
                  />
                </th>
                <ColumnHeads columns={COLUMNS} />
              </tr>
            </thead>
            <tbody>
              {letters.map((l) => (
                <tr key={l.seq} data-testid="dead-letter-row" data-seq={l.seq}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select dead letter ${l.seq}`}
                      checked={selected.has(l.seq)}
                      onChange={(e) => setSelected(toggled(selected, [l.seq], e.target.checked))}
                    />
                  </td>
                  <th scope="row" className="num">
                    {l.seq}
                  </th>
                  <td>{formatTime(l.at)}</td>
                  <td title={l.subject}>{l.type ?? l.subject}</td>
                  <td>{l.jobId ? <a href={jobHref(l.jobId)}>{l.jobId}</a> : '—'}</td>
                  <td className="num">{l.deliveries ?? '—'}</td>
                  <td>{l.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="action-row">
        <span className="num">{picked.length} selected</span>
        <button
          type="button"
          disabled={picked.length === 0 || replay.running}
          onClick={() => void send()}
        >
          {replay.running ? 'Replaying…' : 'Replay selected'}
        </button>
      </div>
      <ReplayOutcomes outcomes={replay.result?.replayDeadLetters} error={replay.error} />
    </section>
  );
}
