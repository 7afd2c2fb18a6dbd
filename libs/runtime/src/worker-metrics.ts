import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { STREAMS } from '@ferry/contracts';
import { gauge, initProcessMetrics, serveMetrics } from '@ferry/observability';

/**
 * A worker's metrics: its process's own, and how its command consumer stands (waiting, in hand),
 * asked of JetStream at each scrape; served on `port` (0: not served). Redeliveries and dead
 * letters are counted where they happen (libs/messaging).
 */
export async function serveWorkerMetrics(options: {
  readonly name: string;
  /** Its durable consumer of FERRY_CMD. */
  readonly consumer: string;
  readonly nc: NatsConnection;
  readonly port: number;
  readonly host: string;
}): Promise<(() => Promise<void>) | undefined> {
  initProcessMetrics(options.name);
  if (options.port === 0) return undefined;
  const jsm = await jetstreamManager(options.nc);
  const consumer = { consumer: options.consumer };
  const info = () => jsm.consumers.info(STREAMS.commands, options.consumer);
  gauge(
    'ferry_consumer_pending',
    'Commands waiting for this consumer: not yet delivered.',
    ['consumer'],
    async (g) => g.set(consumer, (await info()).num_pending),
  );
  gauge(
    'ferry_consumer_ack_pending',
    'Commands this consumer holds now: delivered, not yet acknowledged.',
    ['consumer'],
    async (g) => g.set(consumer, (await info()).num_ack_pending),
  );
  const server = await serveMetrics({ port: options.port, host: options.host });
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
