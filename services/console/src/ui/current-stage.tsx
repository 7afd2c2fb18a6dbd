import type { StageTiming } from '../api/types.ts';
import { formatDuration, stageDuration } from '../format/duration.ts';

/**
 * The current attempt's latest stage with how long it took (or has taken so far), on one line; every
 * stage with its time in the tooltip. One line whatever the stage: a row that grew as its job moved
 * on would shift every row below it under the operator's pointer.
 */
export function CurrentStage({ stages, now }: { stages: readonly StageTiming[]; now: number }) {
  const last = stages.at(-1);
  if (!last) return <span className="muted">—</span>;
  const timing = (stage: StageTiming) => formatDuration(stageDuration(stage, now));
  return (
    <span
      className={`stage stage-${last.outcome}`}
      data-testid="stages"
      data-stage={last.stage}
      data-outcome={last.outcome}
      title={stages.map((s) => `${s.stage} ${timing(s)} ${s.outcome}`).join('\n')}
    >
      <span className="stage-name">{last.stage}</span>{' '}
      <span className="num stage-duration">{timing(last)}</span>
      {last.outcome !== 'done' ? <span className="stage-outcome"> {last.outcome}</span> : null}
    </span>
  );
}
