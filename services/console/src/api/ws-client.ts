import { createClient, type Client } from 'graphql-ws';

import { API_BASE } from './config.ts';
import { wsEndpoint } from './endpoint.ts';

let client: Client | undefined;

/** The one graphql-ws client: connects on the first subscription, reconnects for ever. */
export function wsClient(): Client {
  client ??= createClient({
    url: () => wsEndpoint(API_BASE, window.location),
    lazy: true,
    lazyCloseTimeout: 3_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait: async (retries) => {
      const ms = Math.min(10_000, 500 * 2 ** retries) * (0.75 + Math.random() / 2);
      await new Promise((resolve) => setTimeout(resolve, ms));
    },
  });
  return client;
}
