import { useEffect, useEffectEvent, useState, useSyncExternalStore } from 'react';

import { describeError } from '../api/graphql-error.ts';
import type { Operation } from '../api/operation.ts';
import { connectionStatus, onConnectionStatus, wsClient } from '../api/ws-client.ts';

export type LiveStatus = 'connecting' | 'live' | 'error';

/**
 * Subscribes over graphql-ws while mounted (and again when the variables change); each result's
 * data goes to `onData`, the newest callback always. Returns whether the page is following live.
 */
export function useSubscription<T, V>(
  query: Operation<T, V>,
  variables: V,
  onData: (data: T) => void,
): { readonly status: LiveStatus; readonly error: string | undefined } {
  const key = JSON.stringify(variables);
  const handle = useEffectEvent(onData);
  // The last error, with the subscription it came from: a new subscription starts without one.
  const [failure, setFailure] = useState<
    { readonly query: string; readonly key: string; readonly message: string } | undefined
  >(undefined);
  const error = failure?.query === query && failure.key === key ? failure.message : undefined;
  const connection = useSyncExternalStore(onConnectionStatus, connectionStatus, () => 'closed');

  useEffect(() => {
    const fail = (reason: unknown) => setFailure({ query, key, message: describeError(reason) });
    return wsClient().subscribe<T>(
      { query, variables: JSON.parse(key) as Record<string, unknown> },
      {
        next: (result) => {
          if (result.errors?.length) fail(result.errors);
          else if (result.data) handle(result.data);
        },
        error: fail,
        complete: () => undefined,
      },
    );
  }, [query, key]);

  const status: LiveStatus = error ? 'error' : connection === 'connected' ? 'live' : 'connecting';
  return { status, error };
}
