import { useCallback, useEffect, useLayoutEffect, useRef } from 'react';

/**
 * A callback that runs at most once per `ms`: calls in between are folded into one trailing call.
 * Used to refetch after bursts of live changes without refetching for each.
 */
export function useCoalesced(callback: () => void, ms: number): () => void {
  // The newest callback, for the trailing call (kept after each commit, never during render).
  const latest = useRef(callback);
  useLayoutEffect(() => {
    latest.current = callback;
  });
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => () => clearTimeout(timer.current), []);

  return useCallback(() => {
    if (timer.current !== undefined) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      latest.current();
    }, ms);
  }, [ms]);
}
