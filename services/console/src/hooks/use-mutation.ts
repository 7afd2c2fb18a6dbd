import { useCallback, useState } from 'react';

import { describeError } from '../api/graphql-error.ts';
import { request } from '../api/http-client.ts';
import type { Operation, VariablesArg } from '../api/operation.ts';

export interface MutationState<T, V> {
  readonly run: (...variables: VariablesArg<V>) => Promise<T | undefined>;
  readonly running: boolean;
  readonly result: T | undefined;
  readonly error: string | undefined;
  readonly reset: () => void;
}

/** Sends one mutation at a time; keeps its last result or its error, in words. */
export function useMutation<T, V>(mutation: Operation<T, V>): MutationState<T, V> {
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);

  const run = useCallback(
    async (...[variables]: VariablesArg<V>) => {
      setRunning(true);
      setError(undefined);
      try {
        const answer = await request<T>(mutation, variables ?? {});
        setResult(answer);
        return answer;
      } catch (failure) {
        setResult(undefined);
        setError(describeError(failure));
        return undefined;
      } finally {
        setRunning(false);
      }
    },
    [mutation],
  );
  const reset = useCallback(() => {
    setResult(undefined);
    setError(undefined);
  }, []);
  return { run, running, result, error, reset };
}
