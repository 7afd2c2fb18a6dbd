import { useCallback, useEffect, useRef, useState } from 'react';

import { request } from '../api/http-client.ts';
import type { Operation, VariablesArg } from '../api/operation.ts';

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
export function useQuery<T, V>(
  query: Operation<T, V>,
  ...[variables]: VariablesArg<V>
): QueryState<T> {
  const key = JSON.stringify(variables ?? {});
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [generation, setGeneration] = useState(0);
  // The request this render asks for (unambiguous: a number, a JSON string, then JSON), and the
  // last one answered or failed: loading in between.
  const asked = `${generation}${JSON.stringify(query)}${key}`;
  const [settled, setSettled] = useState<string | undefined>(undefined);
  const latest = useRef(0);

  useEffect(() => {
    const controller = new AbortController();
    const ticket = ++latest.current;
    request<T>(query, JSON.parse(key) as Record<string, unknown>, controller.signal).then(
      (answer) => {
        if (ticket !== latest.current) return;
        setData(answer);
        setError(undefined);
        setSettled(asked);
      },
      (failure: unknown) => {
        if (ticket !== latest.current || controller.signal.aborted) return;
        setError(failure);
        setSettled(asked);
      },
    );
    return () => controller.abort();
  }, [query, key, asked]);

  const refetch = useCallback(() => setGeneration((g) => g + 1), []);
  return { data, error, loading: settled !== asked, refetch, setData };
}
