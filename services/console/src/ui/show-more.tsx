import { useState } from 'react';

/**
 * The first `step` items, and a button that shows `step` more: a page of 10,000 VMs renders a few
 * hundred rows, not all of them, while what acts on "all" (select all, migrate) still takes every item.
 */
export function useShownFirst<T>(items: readonly T[], step: number) {
  const [limit, setLimit] = useState(step);
  const shown = items.length > limit ? items.slice(0, limit) : items;
  const hidden = items.length - shown.length;
  const more =
    hidden > 0 ? (
      <p className="show-more">
        <span className="muted" data-testid="shown-count">
          {shown.length} of {items.length} shown
        </span>{' '}
        <button type="button" className="secondary" onClick={() => setLimit(limit + step)}>
          Show {Math.min(step, hidden)} more
        </button>
      </p>
    ) : null;
  return { shown, more };
}
