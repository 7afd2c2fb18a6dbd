import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  JetStreamApiError,
  type JsMsg,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { HEADERS, STREAMS, type MigrationEvent, vmClaimStream } from '@ferry/contracts';
import {
  fold,
  IllegalStateError,
  migrationDecider,
  reactionNeedsJob,
  reactTo,
  vmClaimDecider,
  type MigrationDecisionState,
} from '@ferry/domain';
import { handleCommand, type JetStreamEventStore, type RecordedEvent } from '@ferry/event-store';
import { catalogue } from '@ferry/config';
import {
  deadLetter,
  DEFAULT_OUTAGE_MS,
  DurableLoop,
  isOutage,
  PROCESS_MANAGER_DURABLE,
  publishCommand,
  retryDelay,
  type RetryPolicy,
} from '@ferry/messaging';
import { contextOfTraceparent, inSpan, SpanKind, type Logger } from '@ferry/observability';

export interface ProcessManagerOptions {
  readonly nc: NatsConnection;
  /** The store, whose reading of the events this consumer receives quarantines what it cannot read. */
  readonly store: JetStreamEventStore;
  readonly logger?: Logger;
  /** Commits handled at once. */
  readonly maxAckPending?: number;
  /** Unacked this long, a commit goes to another replica (NATS_ACK_WAIT_SECONDS). */
  readonly ackWaitMs?: number;
  /**
   * Deliveries of a commit whose reactions keep failing before it is set aside in FERRY_DLQ, the
   * waits between them (REACTION_MAX_FAILURES, REACTION_BACKOFF_SECONDS), and how long after the
   * commit an outage of NATS or the store is waited out without counting (OUTAGE_WAIT_SECONDS).
   */
  readonly retry?: RetryPolicy;
}

const DURABLE = PROCESS_MANAGER_DURABLE;
// The settings' own defaults, for a process manager made without them (a test).
const DEFAULT_REACTION_POLICY: RetryPolicy = {
  maxDeliver: catalogue.REACTION_MAX_FAILURES.parse(undefined),
  backoffMs: catalogue.REACTION_BACKOFF_SECONDS.parse(undefined).map((s) => s * 1000),
  outageMs: DEFAULT_OUTAGE_MS,
};

/**
 * Drives every job from stage to stage: a durable consumer of the jobs' events (shared by all
 * replicas of the jobs service) that answers each with the next stage's command (`reactTo` in
 * libs/domain), or frees the VM when the job ended. A commit is acked only after its reactions were
 * published; the command id comes from the event id, so a redelivered event sends nothing twice.
 */
export class ProcessManager {
  private readonly options: ProcessManagerOptions;
  private readonly js;
  private readonly loop: DurableLoop;

  constructor(options: ProcessManagerOptions) {
    this.options = options;
    this.js = jetstream(options.nc);
    this.loop = new DurableLoop({
      nc: options.nc,
      stream: STREAMS.events,
      durable: DURABLE,
      maxMessages: options.maxAckPending ?? 1024,
      ensure: () => this.ensureConsumer(),
      process: (m) => this.handle(m),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  }

  async start(): Promise<void> {
    await this.ensureConsumer();
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  private async ensureConsumer(): Promise<void> {
    const jsm = await jetstreamManager(this.options.nc);
    const config = {
      durable_name: DURABLE,
      filter_subject: 'ferry.evt.migration.>',
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: (this.options.ackWaitMs ?? 30_000) * 1_000_000,
      max_ack_pending: this.options.maxAckPending ?? 1024,
      max_deliver: -1,
    };
    try {
      await jsm.consumers.info(STREAMS.events, DURABLE);
      await jsm.consumers.update(STREAMS.events, DURABLE, config);
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === 10014)) throw error;
      await jsm.consumers.add(STREAMS.events, config);
    }
  }

  private async handle(m: JsMsg): Promise<void> {
    const commit = this.options.store.commitOf<MigrationEvent>(m);
    // Unreadable (the store reported it): no redelivery can change that; the store keeps it.
    if (!commit) return m.term();
    try {
      // The trace of the span that appended the commit goes on: the commands sent here carry it.
      const traceparent = m.headers?.has(HEADERS.traceparent)
        ? m.headers.get(HEADERS.traceparent)
        : undefined;
      await inSpan(
        'ferry.react.migration',
        {
          kind: SpanKind.CONSUMER,
          parent: contextOfTraceparent(traceparent),
          attributes: {
            'messaging.system': 'nats',
            'messaging.destination.name': m.subject,
            'ferry.stream': commit.streamName,
            'ferry.event.types': commit.events.map((e) => e.type),
            'ferry.job.id': commit.streamName.slice('migration-'.length),
          },
        },
        async () => {
          let state: MigrationDecisionState | undefined;
          for (const event of commit.events) {
            if (reactionNeedsJob(event))
              state ??= fold(
                migrationDecider,
                (await this.options.store.read<MigrationEvent>(commit.streamName)).events as never,
              );
            await this.react(event as RecordedEvent<MigrationEvent>, state);
          }
        },
      );
      m.ack();
    } catch (error) {
      const deliveries = m.info.deliveryCount;
      const ageMs = Date.now() - m.info.timestampNanos / 1_000_000;
      const policy = this.options.retry ?? DEFAULT_REACTION_POLICY;
      const waiting = isOutage(error) && ageMs < (policy.outageMs ?? DEFAULT_OUTAGE_MS);
      const delayMs = retryDelay(policy, deliveries);
      if (!waiting && deliveries >= policy.maxDeliver) {
        // The job's next command was never sent: the watchdog fails the job when its stage's budget runs out.
        await deadLetter(
          this.js,
          m,
          `reacting failed ${deliveries} times; last: ${(error as Error).message}`,
          { consumer: DURABLE, retryMs: delayMs, logger: this.options.logger },
        );
        return;
      }
      this.options.logger?.error(
        { err: error, subject: m.subject, deliveries },
        'reacting to an event failed; it will come again',
      );
      m.nak(delayMs);
    }
  }

  private async react(
    event: RecordedEvent<MigrationEvent>,
    state: MigrationDecisionState | undefined,
  ): Promise<void> {
    const job = state && state.phase !== 'Empty' ? { ...state.job, phase: state.phase } : undefined;
    const { jobId } = event.data;
    const commandId = `pm-${event.eventId}`;
    for (const reaction of reactTo(event, job)) {
      if (reaction.kind === 'send') {
        await publishCommand(
          this.js,
          {
            type: reaction.command,
            // Only an upload's reaction names a host (UploadImage's schema has the field).
            data: { jobId, ...(reaction.host === undefined ? {} : { host: reaction.host }) },
            metadata: {
              commandId,
              correlationId: event.metadata.correlationId,
              causationId: event.eventId,
              issuedAt: new Date().toISOString(),
              // The job goes on for whoever asked for it.
              ...(event.metadata.actor && { actor: event.metadata.actor }),
            },
          },
          { retryForMs: 5_000 },
        );
        continue;
      }
      try {
        await handleCommand(this.options.store, vmClaimDecider, vmClaimStream(reaction.vmKey), {
          type: 'ReleaseVm',
          data: { vmKey: reaction.vmKey, jobId, reason: reaction.reason },
          metadata: {
            commandId: `${commandId}:release`,
            correlationId: event.metadata.correlationId,
            causationId: event.eventId,
            now: new Date().toISOString(),
            ...(event.metadata.actor && { actor: event.metadata.actor }),
          },
        });
      } catch (error) {
        // Free already, or held by a newer job (a retry claimed it again): nothing of this job's to release.
        if (!(error instanceof IllegalStateError)) throw error;
      }
    }
  }
}
