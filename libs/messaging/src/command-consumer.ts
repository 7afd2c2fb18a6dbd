import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  JetStreamApiError,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { decodeCommand, STREAMS, type FerryCommand, type RejectionReason } from '@ferry/contracts';
import {
  contextOfTraceparent,
  counter,
  inSpan,
  markFailed,
  parseTraceparent,
  runWithLogContext,
  SpanKind,
  type LogContext,
  type Logger,
} from '@ferry/observability';
import { deadLetter } from './dead-letter.ts';
import { DurableLoop } from './durable-loop.ts';
import { readContext, type MessageContext } from './headers.ts';
import { DEFAULT_RETRY_POLICY, settle, type RetryPolicy, type Settlement } from './settlement.ts';

export interface ReceivedContext {
  readonly subject: string;
  readonly deliveryCount: number;
  readonly headers: { readonly [K in keyof MessageContext]?: string | undefined };
}

export type CommandHandler = (command: FerryCommand, context: ReceivedContext) => Promise<void>;

/** A command that was not carried out, and why: the consumer hands it to whoever records CommandRejected. */
export interface Rejection {
  readonly subject: string;
  readonly commandType: string | null;
  readonly commandId: string | null;
  readonly reason: RejectionReason;
  readonly errors: readonly { path: string; message: string }[];
}

export interface CommandConsumerOptions {
  readonly nc: NatsConnection;
  /** Durable consumer name: one per service; its replicas share it. */
  readonly durable: string;
  readonly filterSubject: string;
  /** The service's concurrency bound: messages delivered and not yet settled. */
  readonly maxAckPending: number;
  /** Without an ack or `working()` in this time, the server redelivers (a crashed handler). */
  readonly ackWaitMs?: number;
  readonly retry?: RetryPolicy;
  readonly handle: CommandHandler;
  readonly reject: (rejection: Rejection) => Promise<void>;
  readonly logger?: Logger;
}

const DEFAULT_ACK_WAIT_MS = 30_000;

type Outcome = { ok: true } | { ok: false; error: unknown };

/** Creates the durable pull consumer, or updates it to these settings: idempotent. */
export async function ensureCommandConsumer(
  jsm: JetStreamManager,
  options: Pick<
    CommandConsumerOptions,
    'durable' | 'filterSubject' | 'maxAckPending' | 'ackWaitMs'
  >,
): Promise<void> {
  const config = {
    durable_name: options.durable,
    filter_subject: options.filterSubject,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: (options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS) * 1_000_000,
    max_ack_pending: options.maxAckPending,
    // Unlimited: the consumer itself dead-letters, even a message whose handler crashes every time.
    max_deliver: -1,
  };
  try {
    await jsm.consumers.info(STREAMS.commands, options.durable);
    await jsm.consumers.update(STREAMS.commands, options.durable, config);
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === 10014)) throw error; // consumer not found
    await jsm.consumers.add(STREAMS.commands, config);
  }
}

/**
 * Pulls commands from a durable consumer and settles each explicitly: ack once handled (after its
 * events are appended), `working()` while it runs, nak with backoff when it failed, reject or
 * dead-letter when redelivery cannot help. Re-creates its subscription when heartbeats stop.
 */
export class CommandConsumer {
  private readonly js;
  private readonly policy: RetryPolicy;
  private readonly ackWaitMs: number;
  private readonly loop: DurableLoop;
  private readonly options: CommandConsumerOptions;

  constructor(options: CommandConsumerOptions) {
    this.options = options;
    this.js = jetstream(options.nc);
    this.policy = options.retry ?? DEFAULT_RETRY_POLICY;
    this.ackWaitMs = options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
    this.loop = new DurableLoop({
      nc: options.nc,
      stream: STREAMS.commands,
      durable: options.durable,
      maxMessages: options.maxAckPending,
      ensure: async () => ensureCommandConsumer(await jetstreamManager(options.nc), options),
      process: (m) => this.process(m),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  }

  start(): void {
    this.loop.start();
  }

  /** Stops taking messages and waits for those being handled to be settled. */
  async stop(): Promise<void> {
    await this.loop.stop();
  }

  private async process(m: JsMsg): Promise<void> {
    const headers = readContext(m.headers);
    const context: ReceivedContext = {
      subject: m.subject,
      deliveryCount: m.info.deliveryCount,
      headers,
    };
    if (context.deliveryCount > 1)
      counter(
        'ferry_consumer_redeliveries_total',
        'Commands delivered again: their handler failed, timed out, or its process died.',
        ['consumer'],
      ).inc({ consumer: this.options.durable });
    if (context.deliveryCount > this.policy.maxDeliver) {
      // Delivered more often than allowed without ever being settled: its handler crashes or hangs.
      return this.deadLetter(m, `delivered ${context.deliveryCount} times without being settled`);
    }
    const decoded = decodeCommand(m.subject, m.data);
    if (!decoded.ok) {
      const claimed = claimedIdentity(m);
      return this.rejectAndTerm(m, {
        subject: m.subject,
        commandType: claimed.type,
        commandId: headers.commandId ?? claimed.commandId,
        reason: decoded.reason,
        errors: decoded.errors,
      });
    }
    const command = decoded.value;
    const jobId = jobIdOf(command);
    const traceId = parseTraceparent(headers.traceparent)?.traceId;
    const logContext = {
      commandId: command.metadata.commandId,
      correlationId: command.metadata.correlationId ?? command.metadata.commandId,
      ...(jobId === undefined ? {} : { jobId }),
      ...(traceId === undefined ? {} : { traceId }),
    };
    // One span per command handled, continuing the sender's trace: active while the handler runs,
    // so that what it calls and publishes (its events too) stays in that trace.
    return inSpan(
      m.subject,
      {
        kind: SpanKind.CONSUMER,
        parent: contextOfTraceparent(headers.traceparent),
        attributes: {
          'messaging.system': 'nats',
          'messaging.destination.name': m.subject,
          'messaging.message.id': command.metadata.commandId,
          'ferry.command.type': command.type,
          'ferry.command.id': command.metadata.commandId,
          'ferry.delivery_count': context.deliveryCount,
          ...(jobId === undefined ? {} : { 'ferry.job.id': jobId }),
        },
      },
      async (span) => {
        const { settlement, outcome } = await this.handleDecoded(m, command, context, logContext);
        span.setAttribute('ferry.outcome', settlement.kind);
        if (!outcome.ok) markFailed(span, outcome.error);
      },
    );
  }

  private async handleDecoded(
    m: JsMsg,
    command: FerryCommand,
    context: ReceivedContext,
    logContext: LogContext,
  ): Promise<{ settlement: Settlement; outcome: Outcome }> {
    // Long work (a conversion takes hours) must not look like a crashed handler.
    const working = setInterval(() => m.working(), Math.max(100, this.ackWaitMs / 3));
    let outcome: Outcome;
    try {
      await runWithLogContext(logContext, () => this.options.handle(command, context));
      outcome = { ok: true };
    } catch (error) {
      outcome = { ok: false, error };
    } finally {
      clearInterval(working);
    }
    const settlement = settle(outcome, context.deliveryCount, this.policy);
    await this.apply(m, command, context, settlement, outcome);
    return { settlement, outcome };
  }

  private async apply(
    m: JsMsg,
    command: FerryCommand,
    context: ReceivedContext,
    settlement: Settlement,
    outcome: Outcome,
  ): Promise<void> {
    switch (settlement.kind) {
      case 'ack':
        await m
          .ackAck()
          .catch((error: unknown) =>
            this.options.logger?.warn(
              { err: error },
              'ack not confirmed; the command may be redelivered',
            ),
          );
        return;
      case 'retry':
        this.options.logger?.warn(
          {
            err: (outcome as { error: unknown }).error,
            delayMs: settlement.delayMs,
            deliveryCount: context.deliveryCount,
          },
          'command failed; it will be retried',
        );
        m.nak(settlement.delayMs);
        return;
      case 'reject':
        return this.rejectAndTerm(m, {
          subject: m.subject,
          commandType: command.type,
          commandId: command.metadata.commandId,
          reason: settlement.reason,
          errors: settlement.errors,
        });
      case 'dead-letter':
        return this.deadLetter(m, settlement.reason);
    }
  }

  private async rejectAndTerm(m: JsMsg, rejection: Rejection): Promise<void> {
    try {
      await this.options.reject(rejection);
      // No reason on term: nats-server 2.9 ignores a TERM that carries one. The rejection records why.
      m.term();
    } catch (error) {
      // The rejection could not be recorded: keep the command, try again later.
      this.options.logger?.error({ err: error }, 'could not record a rejection');
      m.nak(this.policy.backoffMs[0] ?? 1_000);
    }
  }

  private async deadLetter(m: JsMsg, reason: string): Promise<void> {
    await deadLetter(this.js, m, reason, {
      consumer: this.options.durable,
      retryMs: this.policy.backoffMs.at(-1) ?? 1_000,
      logger: this.options.logger,
    });
  }
}

/** What an invalid command says it is, where it says so: its sender finds the rejection by that id. */
function claimedIdentity(m: JsMsg): { type: string | null; commandId: string | null } {
  const text = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v.slice(0, 128) : null);
  try {
    const parsed = JSON.parse(new TextDecoder().decode(m.data)) as {
      type?: unknown;
      metadata?: { commandId?: unknown };
    };
    return { type: text(parsed.type), commandId: text(parsed.metadata?.commandId) };
  } catch {
    return { type: null, commandId: null };
  }
}

const jobIdOf = (command: FerryCommand): string | undefined =>
  'jobId' in command.data ? command.data.jobId : undefined;
