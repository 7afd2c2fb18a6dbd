import { useEffect, useId, useRef, useState } from 'react';

import { describeError } from '../api/graphql-error.ts';
import { hrefFor } from '../router/route.ts';
import { HealthTable } from './health-table.tsx';
import { useHealth } from './use-health.ts';

/** The header's health dot: a button opening the components in a popover. */
export function HealthIndicator() {
  const { data, error } = useHealth();
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const root = useRef<HTMLDivElement>(null);
  const status = error ? 'unreachable' : (data?.health.status ?? 'checking');

  useEffect(() => {
    if (!open) return undefined;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setOpen(false);
    };
    const onClick = (event: MouseEvent) => {
      if (root.current && !root.current.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('mousedown', onClick);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('mousedown', onClick);
    };
  }, [open]);

  return (
    <div className="health" ref={root}>
      <button
        type="button"
        className={`health-button health-${status}`}
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
        data-testid="health-button"
        data-status={status}
      >
        <span className="dot" aria-hidden="true" />
        Health: {status}
      </button>
      {open ? (
        <div className="popover" id={panelId} role="region" aria-label="Health of the components">
          {error ? <p role="alert">{describeError(error)}</p> : null}
          {data ? <HealthTable health={data.health} /> : null}
          <p>
            <a href={hrefFor({ page: 'health' })} onClick={() => setOpen(false)}>
              Open the health page
            </a>
          </p>
        </div>
      ) : null}
    </div>
  );
}
