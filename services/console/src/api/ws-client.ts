import { createClient, type Client } from 'graphql-ws';

import { API_BASE } from './config.ts';
import { wsEndpoint } from './endpoint.ts';
import { fetchSession } from './session.ts';

/** The live connection, as pages show it. */
export type ConnectionStatus = 'connecting' | 'connected' | 'closed';

let client: Client | undefined;
let status: ConnectionStatus = 'closed';
const listeners = new Set<() => void>();

function setStatus(next: ConnectionStatus): void {
  if (status === next) return;
  status = next;
  for (const listener of listeners) listener();
}

/** The one graphql-ws client: connects on the first subscription, reconnects for ever. */
export function wsClient(): Client {
  if (!client) {
    client = createClient({
      url: () => wsEndpoint(API_BASE, window.location),
      // Who this page is: a fresh ticket of its session at each (re)connection.
      connectionParams: async () => {
        const { ticket } = await fetchSession().catch(() => ({ ticket: null }));
        return ticket ? { authorization: `Ticket ${ticket}` } : {};
      },
      lazy: true,
      lazyCloseTimeout: 3_000,
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: () => true,
      retryWait: async (retries) => {
        const ms = Math.min(10_000, 500 * 2 ** retries) * (0.75 + Math.random() / 2);
        await new Promise((resolve) => setTimeout(resolve, ms));
      },
    });
    client.on('connecting', () => setStatus('connecting'));
    client.on('connected', () => setStatus('connected'));
    client.on('closed', () => setStatus('closed'));
  }
  return client;
}

export function connectionStatus(): ConnectionStatus {
  return status;
}

export function onConnectionStatus(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
