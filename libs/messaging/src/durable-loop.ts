import { jetstream, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@ferry/observability';

export interface DurableLoopOptions {
  readonly nc: NatsConnection;
  readonly stream: string;
  readonly durable: string;
  /** Messages pulled at once; the consumer's max_ack_pending bounds how many are in hand. */
  readonly maxMessages: number;
  /** Creates the consumer, or updates it: called again when it was lost (deleted, or gone with a server's state). */
  readonly ensure: () => Promise<void>;
  /** Handles one message, settling it; a rejection is logged and the message comes again. */
  readonly process: (m: JsMsg) => Promise<void>;
  readonly logger?: Logger;
}

/**
 * Pulls from a durable consumer and hands each message to `process` as it arrives, without waiting
 * for the one before. Re-creates its subscription when heartbeats stop or the consumer is lost; on
 * stop, gives back (naks) what still arrives and waits for the messages in hand.
 */
export class DurableLoop {
  private readonly options: DurableLoopOptions;
  private readonly inFlight = new Set<Promise<void>>();
  private messages: ConsumerMessages | undefined;
  private stopping = false;
  private loop: Promise<void> | undefined;

  constructor(options: DurableLoopOptions) {
    this.options = options;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
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
        const messages = await consumer.consume({
          max_messages: this.options.maxMessages,
          expires: 10_000,
        });
        this.messages = messages;
        void this.watch(messages);
        for await (const m of messages) {
          if (this.stopping) {
            m.nak();
            continue;
          }
          const task = this.options
            .process(m)
            .catch((error: unknown) =>
              logger?.error(
                { err: error, durable },
                'handling a message failed; it will come again',
              ),
            )
            .finally(() => this.inFlight.delete(task));
          this.inFlight.add(task);
        }
      } catch (error) {
        if (this.stopping) break;
        logger?.warn({ err: error, durable }, 'consumer failed; re-creating it');
        await new Promise((r) => setTimeout(r, 1_000));
        if (/consumer not found/i.test(String(error)))
          await this.options.ensure().catch(() => undefined);
      }
    }
  }

  /** Closing the messages ends the loop above, which then gets the consumer again. */
  private async watch(messages: ConsumerMessages): Promise<void> {
    for await (const status of messages.status()) {
      const lost =
        (status.type === 'heartbeats_missed' && status.count >= 2) ||
        status.type === 'consumer_deleted' ||
        status.type === 'consumer_not_found';
      if (lost && !this.stopping) {
        this.options.logger?.warn(
          { status: status.type, durable: this.options.durable },
          'consumer lost; re-creating it',
        );
        await messages.close();
        return;
      }
    }
  }
}
