import type { StageTiming } from '../api/types.ts';
import { formatDuration, stageDuration } from '../format/duration.ts';

/** Each stage of the current attempt with how long it took (or has taken so far). */
export function StageList({ stages, now }: { stages: readonly StageTiming[]; now: number }) {
  if (stages.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="stages" data-testid="stages">
      {stages.map((stage, at) => (
        <li
          key={`${stage.stage}-${at}`}
          className={`stage stage-${stage.outcome}`}
          data-stage={stage.stage}
          data-outcome={stage.outcome}
        >
          <span className="stage-name">{stage.stage}</span>
          <span className="num stage-duration">{formatDuration(stageDuration(stage, now))}</span>
          {stage.outcome !== 'done' ? <span className="stage-outcome">{stage.outcome}</span> : null}
        </li>
      ))}
    </ul>
  );
}
