import { useEffect, useRef, useState } from 'react';

import { describeError } from '../api/graphql-error.ts';
import { wsClient } from '../api/ws-client.ts';

export type LiveStatus = 'connecting' | 'live' | 'error';

/**
 * Subscribes over graphql-ws while mounted (and again when the variables change); each result's
 * data goes to `onData`, the newest callback always. Returns the subscription's status.
 */
export function useSubscription<T>(
  query: string,
  variables: Record<string, unknown>,
  onData: (data: T) => void,
  enabled = true,
): { readonly status: LiveStatus; readonly error: string | undefined } {
  const key = JSON.stringify(variables);
  const handler = useRef(onData);
  handler.current = onData;
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const [error, setError] = useState<string | undefined>(undefined);

  useEffect(() => {
    if (!enabled) return undefined;
    const client = wsClient();
    const offConnected = client.on('connected', () => {
      setStatus('live');
      setError(undefined);
    });
    const offClosed = client.on('closed', () => setStatus('connecting'));
    const unsubscribe = client.subscribe<T>(
      { query, variables: JSON.parse(key) as Record<string, unknown> },
      {
        next: (result) => {
          if (result.errors?.length) {
            setError(describeError(result.errors));
            return;
          }
          if (result.data) handler.current(result.data);
        },
        error: (failure) => {
          setStatus('error');
          setError(describeError(failure));
        },
        complete: () => undefined,
      },
    );
    return () => {
      unsubscribe();
      offConnected();
      offClosed();
    };
  }, [query, key, enabled]);

  return { status, error };
}
