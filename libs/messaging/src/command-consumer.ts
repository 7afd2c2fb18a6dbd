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
import {
  COMMAND_SUBJECTS,
  decodeCommand,
  STREAMS,
  type FerryCommand,
  type RejectionReason,
} from '@ferry/contracts';
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
  /** The message's place in FERRY_CMD: the same at every delivery of it. */
  readonly sequence: number;
  readonly headers: { readonly [K in keyof MessageContext]?: string | undefined };
  /**
   * Hands the heartbeat to the handler's work: from now on the command is kept in progress only
   * when the returned function is called (as its work makes progress), not on a timer, so a hung
   * call lets the command go back to the queue after NATS_ACK_WAIT_SECONDS.
   */
  driveHeartbeat(): () => void;
}

export type CommandHandler = (command: FerryCommand, context: ReceivedContext) => Promise<void>;

/**
 * The context a Nest handler receives (`@Ctx()`, which Nest types as unknown) as what it is: the
 * JetStream transport always passes a ReceivedContext.
 */
export function receivedContext(context: unknown): ReceivedContext {
  const c = context as Partial<ReceivedContext> | null;
  if (typeof c?.sequence !== 'number' || typeof c.driveHeartbeat !== 'function')
    throw new Error('not a command received from JetStream: no delivery context');
  return c as ReceivedContext;
}

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
  /**
   * A durable consumer this one takes the place of, deleted first when it is there: a work queue
   * takes no two consumers whose subjects overlap (the image service's one of all its commands,
   * before uploads were routed to hosts).
   */
  readonly replaces?: string;
  /** How many commands this process works on at once: it pulls no more than it has room for. */
  readonly concurrency: number;
  /** Without an ack or `working()` in this time, the server redelivers (a crashed handler). */
  readonly ackWaitMs?: number;
  readonly retry?: RetryPolicy;
  readonly handle: CommandHandler;
  readonly reject: (rejection: Rejection) => Promise<void>;
  /**
   * Called before a command is dead-lettered, with why: records what giving up means (a stage
   * command fails its job, so rollback follows). When it throws, the command is kept instead.
   */
  readonly giveUp?: (command: FerryCommand, reason: string) => Promise<void>;
  readonly logger?: Logger;
}

const DEFAULT_ACK_WAIT_MS = 30_000;
/** The most replicas of one service whose commands run at once: N of concurrency C run N×C. */
export const MAX_REPLICAS = 32;
/** Commands whose waits (not failures) this process remembers; the oldest is forgotten first. */
const WAITS_KEPT = 10_000;

type Outcome = { ok: true } | { ok: false; error: unknown };

/** Creates the durable pull consumer, or updates it to these settings: idempotent. */
export async function ensureCommandConsumer(
  jsm: JetStreamManager,
  options: Pick<
    CommandConsumerOptions,
    'durable' | 'filterSubject' | 'concurrency' | 'ackWaitMs' | 'replaces'
  >,
): Promise<void> {
  if (options.replaces !== undefined && options.replaces !== options.durable)
    await jsm.consumers.delete(STREAMS.commands, options.replaces).catch((error: unknown) => {
      if (!(error instanceof JetStreamApiError && error.code === 10014)) throw error; // not there
    });
  const config = {
    durable_name: options.durable,
    filter_subject: options.filterSubject,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: (options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS) * 1_000_000,
    // Each replica bounds itself; the consumer bounds them all, for up to MAX_REPLICAS of them.
    max_ack_pending: options.concurrency * MAX_REPLICAS,
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
  /** By message sequence: deliveries that ended in a wait (an outage, a stage held elsewhere), not a failure. */
  private readonly waits = new Map<number, number>();

  constructor(options: CommandConsumerOptions) {
    this.options = options;
    this.js = jetstream(options.nc);
    this.policy = options.retry ?? DEFAULT_RETRY_POLICY;
    this.ackWaitMs = options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
    this.loop = new DurableLoop({
      nc: options.nc,
      stream: STREAMS.commands,
      durable: options.durable,
      maxMessages: options.concurrency,
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
    const context = {
      subject: m.subject,
      deliveryCount: m.info.deliveryCount,
      sequence: m.info.streamSequence,
      headers,
    };
    if (context.deliveryCount > 1)
      counter(
        'ferry_consumer_redeliveries_total',
        'Commands delivered again: their handler failed, timed out, or its process died.',
        ['consumer'],
      ).inc({ consumer: this.options.durable });
    const read = readCommand(m.subject, m.data, headers);
    if (!read.ok) return this.rejectAndTerm(m, read.rejection);
    const { command } = read;
    // Delivered more often than allowed without ever being settled: its handler crashes or hangs.
    // (Twice the failures allowed: waits another replica saw are not known here.)
    if (this.failures(m) > 2 * this.policy.maxDeliver)
      return this.giveUpAndDeadLetter(
        m,
        command,
        `delivered ${context.deliveryCount} times without being settled`,
      );
    const jobId = jobIdOf(command);
    const traceId = parseTraceparent(headers.traceparent)?.traceId;
    const logContext = {
      commandId: command.metadata.commandId,
      correlationId: command.metadata.correlationId ?? command.metadata.commandId,
      ...(jobId === undefined ? {} : { jobId }),
      ...(traceId === undefined ? {} : { traceId }),
      ...(command.metadata.actor && { actor: command.metadata.actor }),
    };
    // One span per command handled, continuing the sender's trace: active while the handler runs,
    // so that what it calls and publishes (its events too) stays in that trace.
    // Named after the command's subject without its route (`.<host>` of an upload): one name per
    // operation, whichever host took it; the subject it came on is an attribute.
    return inSpan(
      COMMAND_SUBJECTS[command.type],
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
    received: Omit<ReceivedContext, 'driveHeartbeat'>,
    logContext: LogContext,
  ): Promise<{ settlement: Settlement; outcome: Outcome }> {
    // Long work (a conversion takes hours) must not look like a crashed handler: kept in progress
    // on a timer, unless the handler drives the heartbeat from its work's progress.
    const every = Math.max(100, this.ackWaitMs / 3);
    let working: NodeJS.Timeout | undefined = setInterval(() => m.working(), every);
    const context: ReceivedContext = {
      ...received,
      driveHeartbeat: () => {
        clearInterval(working);
        working = undefined;
        let last = 0;
        return () => {
          if (Date.now() - last < Math.min(1_000, every)) return;
          last = Date.now();
          m.working();
        };
      },
    };
    let outcome: Outcome;
    try {
      await runWithLogContext(logContext, () => this.options.handle(command, context));
      outcome = { ok: true };
    } catch (error) {
      outcome = { ok: false, error };
    } finally {
      clearInterval(working);
    }
    const ageMs = Date.now() - m.info.timestampNanos / 1_000_000;
    const settlement = settle(outcome, this.failures(m), this.policy, ageMs, m.info.deliveryCount);
    await this.apply(m, command, context, settlement, outcome);
    return { settlement, outcome };
  }

  /** This delivery and the earlier ones that failed: deliveries less the waits known here. */
  private failures(m: JsMsg): number {
    return m.info.deliveryCount - (this.waits.get(m.info.streamSequence) ?? 0);
  }

  private waited(m: JsMsg): void {
    const seq = m.info.streamSequence;
    this.waits.set(seq, (this.waits.get(seq) ?? 0) + 1);
    if (this.waits.size > WAITS_KEPT) this.waits.delete(this.waits.keys().next().value as number);
  }

  private async apply(
    m: JsMsg,
    command: FerryCommand,
    context: ReceivedContext,
    settlement: Settlement,
    outcome: Outcome,
  ): Promise<void> {
    if (settlement.kind !== 'retry') this.waits.delete(m.info.streamSequence);
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
        if (!settlement.counted) this.waited(m);
        this.options.logger?.warn(
          {
            err: (outcome as { error: unknown }).error,
            delayMs: settlement.delayMs,
            deliveryCount: context.deliveryCount,
          },
          settlement.counted
            ? 'command failed; it will be retried'
            : 'command waits; it comes back',
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
        return this.giveUpAndDeadLetter(m, command, settlement.reason);
    }
  }

  /** What giving up means is recorded first (a job's failure); when that cannot be, the command stays. */
  private async giveUpAndDeadLetter(m: JsMsg, command: FerryCommand, reason: string) {
    try {
      await this.options.giveUp?.(command, reason);
    } catch (error) {
      this.options.logger?.error({ err: error }, 'could not record giving up; keeping the command');
      m.nak(this.policy.backoffMs.at(-1) ?? 1_000);
      return;
    }
    await this.deadLetter(m, reason);
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

/**
 * What a delivered message holds: a command valid on its subject, or the rejection that answers it,
 * naming the command as far as it can be read so that its sender finds the answer.
 */
export function readCommand(
  subject: string,
  data: Uint8Array,
  headers: ReceivedContext['headers'],
): { ok: true; command: FerryCommand } | { ok: false; rejection: Rejection } {
  const decoded = decodeCommand(subject, data);
  if (decoded.ok) return { ok: true, command: decoded.value };
  const claimed = claimedIdentity(data);
  return {
    ok: false,
    rejection: {
      subject,
      commandType: claimed.type,
      commandId: headers.commandId ?? claimed.commandId,
      reason: decoded.reason,
      errors: decoded.errors,
    },
  };
}

/** What an invalid command says it is, where it says so: its sender finds the rejection by that id. */
function claimedIdentity(data: Uint8Array): { type: string | null; commandId: string | null } {
  const text = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v.slice(0, 128) : null);
  try {
    const parsed = JSON.parse(new TextDecoder().decode(data)) as {
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
