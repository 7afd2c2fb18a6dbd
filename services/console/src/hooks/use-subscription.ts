import { useEffect, useRef, useState, useSyncExternalStore } from 'react';

import { describeError } from '../api/graphql-error.ts';
import { connectionStatus, onConnectionStatus, wsClient } from '../api/ws-client.ts';

export type LiveStatus = 'connecting' | 'live' | 'error';

/**
 * Subscribes over graphql-ws while mounted (and again when the variables change); each result's
 * data goes to `onData`, the newest callback always. Returns whether the page is following live.
 */
export function useSubscription<T>(
  query: string,
  variables: Record<string, unknown>,
  onData: (data: T) => void,
): { readonly status: LiveStatus; readonly error: string | undefined } {
  const key = JSON.stringify(variables);
  const handler = useRef(onData);
  useEffect(() => {
    handler.current = onData;
  });
  const [error, setError] = useState<string | undefined>(undefined);
  const connection = useSyncExternalStore(onConnectionStatus, connectionStatus, () => 'closed');

  useEffect(() => {
    setError(undefined);
    return wsClient().subscribe<T>(
      { query, variables: JSON.parse(key) as Record<string, unknown> },
      {
        next: (result) => {
          if (result.errors?.length) setError(describeError(result.errors));
          else if (result.data) handler.current(result.data);
        },
        error: (failure) => setError(describeError(failure)),
        complete: () => undefined,
      },
    );
  }, [query, key]);

  const status: LiveStatus = error ? 'error' : connection === 'connected' ? 'live' : 'connecting';
  return { status, error };
}
