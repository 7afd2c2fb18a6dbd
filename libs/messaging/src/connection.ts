import { connect, type NatsConnection } from '@nats-io/transport-node';

export interface ConnectOptions {
  /** One URL, or several comma-separated for a cluster (NATS_URL). */
  readonly url: string;
  /** Shows in the server's connection list: the service and its replica. */
  readonly name: string;
  /** Fail at once when no server answers, and after a few reconnects: for a command-line tool. Default false. */
  readonly failFast?: boolean;
}

/** A connection that reconnects forever (unless `failFast`): a NATS restart must never end a service. */
export function connectNats(options: ConnectOptions): Promise<NatsConnection> {
  return connect({
    servers: options.url.split(',').map((s) => s.trim()),
    name: options.name,
    maxReconnectAttempts: options.failFast ? 10 : -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: !options.failFast,
    timeout: 5000,
  });
}

export type { NatsConnection };
