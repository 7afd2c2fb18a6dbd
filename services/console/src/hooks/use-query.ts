import { useCallback, useEffect, useRef, useState } from 'react';

import { request } from '../api/http-client.ts';

export interface QueryState<T> {
  /** The last answer; kept while a refetch is under way so nothing jumps. */
  readonly data: T | undefined;
  readonly error: unknown;
  readonly loading: boolean;
  readonly refetch: () => void;
  /** Replaces the data in place (a live update merged by the caller). */
  readonly setData: (update: (previous: T | undefined) => T | undefined) => void;
}

/** Runs a query now and whenever its variables change; only the newest answer is kept. */
export function useQuery<T>(query: string, variables: Record<string, unknown> = {}): QueryState<T> {
  const key = JSON.stringify(variables);
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  const latest = useRef(0);

  useEffect(() => {
    const controller = new AbortController();
    const ticket = ++latest.current;
    setLoading(true);
    request<T>(query, JSON.parse(key) as Record<string, unknown>, controller.signal).then(
      (answer) => {
        if (ticket !== latest.current) return;
        setData(answer);
        setError(undefined);
        setLoading(false);
      },
      (failure: unknown) => {
        if (ticket !== latest.current || controller.signal.aborted) return;
        setError(failure);
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [query, key, generation]);

  const refetch = useCallback(() => setGeneration((g) => g + 1), []);
  return { data, error, loading, refetch, setData };
}
