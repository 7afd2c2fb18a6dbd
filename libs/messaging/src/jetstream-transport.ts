// Nest's decorators read metadata through this polyfill; it must load before @nestjs/microservices.
import 'reflect-metadata';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { COMMAND_SUBJECTS, type FerryCommand } from '@ferry/contracts';
import type { Logger } from '@ferry/observability';
import {
  CommandConsumer,
  ensureCommandConsumer,
  type CommandConsumerOptions,
  type ReceivedContext,
  type Rejection,
} from './command-consumer.ts';
import { connectNats } from './connection.ts';
import { CommandRejectedError, type RetryPolicy } from './settlement.ts';
import { provisionStreams } from './streams.ts';

export interface JetStreamTransportOptions {
  /** An open connection to share (with the event store), or the URL to open one. */
  readonly connection: NatsConnection | { readonly url: string; readonly name: string };
  readonly replicas?: number;
  readonly consumer: Pick<
    CommandConsumerOptions,
    'durable' | 'filterSubject' | 'concurrency' | 'ackWaitMs' | 'replaces'
  > & { readonly retry?: RetryPolicy };
  /** Records a command that was not carried out (a CommandRejected event the sender can read). */
  readonly reject: (rejection: Rejection) => Promise<void>;
  /** Records what giving up on a command means, before it is dead-lettered. */
  readonly giveUp?: CommandConsumerOptions['giveUp'];
  readonly logger?: Logger;
}

/**
 * NestJS transport over JetStream: `@EventPattern('ferry.cmd.<service>.<verb>')` handlers receive the
 * validated command and its context; the returned promise settles the message (ack only after the
 * handler resolved, that is after its events were appended).
 */
export class JetStreamTransport extends Server implements CustomTransportStrategy {
  private nc: NatsConnection | undefined;
  private consumer: CommandConsumer | undefined;
  private readonly options: JetStreamTransportOptions;

  constructor(options: JetStreamTransportOptions) {
    super();
    this.options = options;
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const { connection } = this.options;
      this.nc = 'url' in connection ? await connectNats(connection) : connection;
      const jsm = await jetstreamManager(this.nc);
      // Made here when NATS lets it (no authorization); where it does, the admin made them.
      await provisionStreams(jsm, this.options.replicas ?? 1);
      await ensureCommandConsumer(jsm, this.options.consumer);
      this.consumer = new CommandConsumer({
        ...this.options.consumer,
        nc: this.nc,
        handle: (command, context) => this.dispatch(command, context),
        reject: this.options.reject,
        ...(this.options.giveUp ? { giveUp: this.options.giveUp } : {}),
        ...(this.options.logger ? { logger: this.options.logger } : {}),
      });
      this.consumer.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  private async dispatch(command: FerryCommand, context: ReceivedContext): Promise<void> {
    // By its type's subject: an upload routed to a host comes on that subject's `.<host>`.
    const pattern = COMMAND_SUBJECTS[command.type];
    const handler = this.getHandlerByPattern(pattern);
    if (!handler)
      throw new CommandRejectedError('unknown-type', `no handler for ${pattern} in this service`);
    await lastValueFrom(this.transformToObservable(await handler(command, context)), {
      defaultValue: undefined,
    });
  }

  /** Graceful: stops taking commands, lets those in hand finish and settle, then drains its own connection. */
  async close(): Promise<void> {
    await this.consumer?.stop();
    if (this.nc && 'url' in this.options.connection) await this.nc.drain();
  }

  on(): never {
    throw new Error('JetStreamTransport has no events to listen to');
  }

  unwrap<T>(): T {
    return this.nc as T;
  }
}
