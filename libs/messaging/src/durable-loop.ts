import { jetstream, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@ferry/observability';

export interface DurableLoopOptions {
  readonly nc: NatsConnection;
  readonly stream: string;
  readonly durable: string;
  /** Messages this process works on at once: it asks for no more than it has room for. */
  readonly maxMessages: number;
  /** Creates the consumer, or updates it: called again when it was lost (deleted, or gone with a server's state). */
  readonly ensure: () => Promise<void>;
  /** Handles one message, settling it; a rejection is logged and the message comes again. */
  readonly process: (m: JsMsg) => Promise<void>;
  readonly logger?: Logger;
}

// A pull request waits this long for messages before it is made again.
const PULL_EXPIRES_MS = 10_000;

/**
 * Pulls from a durable consumer only as many messages as this process has room for, and hands each
 * to `process` as it arrives, without waiting for the one before: replicas sharing the consumer
 * each take their share, so N replicas of room C work on up to N×C at once. Re-creates its pulls
 * when the consumer is lost; on stop, gives back (naks) what still arrives and waits for the
 * messages in hand.
 */
export class DurableLoop {
  private readonly options: DurableLoopOptions;
  private readonly inFlight = new Set<Promise<void>>();
  private messages: ConsumerMessages | undefined;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private roomMade: (() => void) | undefined;

  constructor(options: DurableLoopOptions) {
    this.options = options;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.roomMade?.();
    await this.messages?.close();
    await this.loop;
    await Promise.all(this.inFlight);
  }

  private async run(): Promise<void> {
    const { nc, stream, durable, logger } = this.options;
    const js = jetstream(nc);
    while (!this.stopping) {
      try {
        const consumer = await js.consumers.get(stream, durable);
        while (!this.stopping) {
          const room = this.options.maxMessages - this.inFlight.size;
          if (room <= 0) {
            await new Promise<void>((resolve) => (this.roomMade = resolve));
            continue;
          }
          const messages = await consumer.fetch({ max_messages: room, expires: PULL_EXPIRES_MS });
          this.messages = messages;
          for await (const m of messages) this.dispatch(m);
        }
      } catch (error) {
        if (this.stopping) break;
        logger?.warn({ err: error, durable }, 'consumer failed; pulling again');
        await new Promise((r) => setTimeout(r, 1_000));
        if (/consumer not found|consumer.*deleted/i.test(String(error)))
          await this.options.ensure().catch(() => undefined);
      }
    }
  }

  private dispatch(m: JsMsg): void {
    if (this.stopping) {
      m.nak();
      return;
    }
    const task = this.options
      .process(m)
      .catch((error: unknown) =>
        this.options.logger?.error(
          { err: error, durable: this.options.durable },
          'handling a message failed; it will come again',
        ),
      )
      .finally(() => {
        this.inFlight.delete(task);
        this.roomMade?.();
        this.roomMade = undefined;
      });
    this.inFlight.add(task);
  }
}
