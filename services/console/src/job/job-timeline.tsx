import { useId, useState } from 'react';

import type { TimelineEvent } from '../api/types.ts';
import { actorLabel } from '../format/actor.ts';
import { formatTime } from '../format/time.ts';

/** Every event of the job, oldest first, its data one click away. */
export function JobTimeline({ events }: { events: readonly TimelineEvent[] }) {
  const [showProgress, setShowProgress] = useState(true);
  const toggleId = useId();
  const progress = events.filter((e) => e.type === PROGRESS).length;
  const shown = showProgress ? events : events.filter((e) => e.type !== PROGRESS);
  return (
    <>
      {progress > 0 ? (
        <p className="timeline-controls">
          <input
            id={toggleId}
            type="checkbox"
            checked={showProgress}
            onChange={(e) => setShowProgress(e.target.checked)}
          />
          <label htmlFor={toggleId}>Show the {progress} conversion progress events</label>
        </p>
      ) : null}
      <table className="data timeline" data-testid="timeline">
        <caption className="visually-hidden">Every event of the job, oldest first</caption>
        <thead>
          <tr>
            <th scope="col" className="num">
              Rev.
            </th>
            <th scope="col">Time</th>
            <th scope="col">Type</th>
            <th scope="col">Asked by</th>
            <th scope="col">Summary and data</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((event) => (
            <tr
              key={event.revision}
              data-testid="timeline-event"
              data-type={event.type}
              data-revision={event.revision}
            >
              <td className="num">{event.revision}</td>
              <td className="num nowrap">{formatTime(event.at)}</td>
              <th scope="row" className="event-type">
                {event.type}
              </th>
              <td data-testid="timeline-actor">{actorLabel(event.actor)}</td>
              <td className="wrap">
                <details>
                  <summary>{event.summary}</summary>
                  <pre className="json">{JSON.stringify(event.data, null, 2)}</pre>
                  <p className="muted">
                    command <code>{event.commandId}</code>
                  </p>
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

const PROGRESS = 'ConversionProgressed';
