import { connect, type NatsConnection } from '@nats-io/transport-node';

export interface ConnectOptions {
  /** One URL, or several comma-separated for a cluster (NATS_URL). */
  readonly url: string;
  /** Shows in the server's connection list: the service and its replica. */
  readonly name: string;
}

/** A connection that reconnects forever: a NATS restart must never end a service. */
export function connectNats(options: ConnectOptions): Promise<NatsConnection> {
  return connect({
    servers: options.url.split(',').map((s) => s.trim()),
    name: options.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: true,
    timeout: 5000,
  });
}

export type { NatsConnection };
