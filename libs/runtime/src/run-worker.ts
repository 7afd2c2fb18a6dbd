import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { loadConfigOrExit, type Config, type SettingName } from '@ferry/config';
import { JetStreamEventStore } from '@ferry/event-store';
import {
  connectNats,
  NATS_SECURITY_SETTINGS,
  natsSecurity,
  provisionStreams,
  type Identity,
} from '@ferry/messaging';
import { giveUpOnJob, rejectionRecorder, type StageRunnerDeps } from '@ferry/stages';
import { createFerryMicroservice, stopOnSignal } from '@ferry/messaging/nest';
import { createLogger, startTracing, type Logger } from '@ferry/observability';
import { serveWorkerMetrics } from './worker-metrics.ts';

/** What every worker reads: where NATS is, how its streams are replicated and acked, how it logs. */
export const WORKER_SETTINGS = [
  'NATS_URL',
  ...NATS_SECURITY_SETTINGS,
  'NATS_STREAM_REPLICAS',
  'NATS_ACK_WAIT_SECONDS',
  'STAGE_LEASE_SECONDS',
  'OUTAGE_WAIT_SECONDS',
  'COMMAND_MAX_FAILURES',
  'COMMAND_BACKOFF_SECONDS',
  'LOG_LEVEL',
  'LOG_FORMAT',
  'LOG_DIR',
  'METRICS_PORT',
  'METRICS_HOST',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'FERRY_TRACE_FILE',
] as const;
type WorkerSetting = (typeof WORKER_SETTINGS)[number];

/** What a worker's wiring gets to build its module from. */
export interface WorkerContext<K extends SettingName> {
  readonly config: Config<K | WorkerSetting>;
  readonly logger: Logger;
  readonly nc: NatsConnection;
  readonly store: JetStreamEventStore;
  /** What the stage runner needs to run this service's stages (its stopping signal included). */
  readonly stages: StageRunnerDeps;
}

/** A worker's own part: its Nest module and how many commands it works on at once. */
export interface Wiring {
  readonly module: unknown;
  readonly concurrency: number;
  /** Fields of the start-up log line. */
  readonly started?: Record<string, unknown>;
  /** After the consumer listens (a schedule, a process manager). */
  readonly listening?: () => Promise<void> | void;
  /** On SIGTERM/SIGINT: before the consumer closes (stop starting work), and after (release clients). */
  readonly stop?: { readonly before?: () => void; readonly after?: () => Promise<void> | void };
}

export interface WorkerSpec<K extends SettingName> {
  /** The service's name: its logger's, its NATS identity's and its durable consumer's. */
  readonly name: Identity;
  /** The `<service>` of the command subjects `ferry.cmd.<service>.<verb>` it handles; its name by default. */
  readonly commands?: string;
  /**
   * Its durable consumer, when not its name's on all its command subjects: the image service's takes
   * only the uploads routed to its host.
   */
  readonly consumer?: (config: Config<K | WorkerSetting>) => {
    readonly durable: string;
    readonly filterSubject: string;
    readonly replaces?: string;
  };
  /** The categories of streams its handlers read, known as they are appended: each read is one request. */
  readonly follows?: readonly string[];
  readonly settings: readonly K[];
  readonly wire: (context: WorkerContext<K>) => Wiring | Promise<Wiring>;
}

/**
 * Starts a worker service the way every Ferry worker starts: settings checked (a bad one stops it
 * with the reason), pino logs, one NATS connection shared by the event store and the JetStream
 * transport, a durable consumer on its command subjects whose max_ack_pending is its concurrency,
 * rejections recorded where senders find them, and a clean stop on SIGTERM/SIGINT. A wiring that
 * fails (a bad network mapping, say) stops it with the reason and exit code 2.
 */
export async function runWorker<const K extends SettingName>(spec: WorkerSpec<K>): Promise<void> {
  const config = loadConfigOrExit<K | WorkerSetting>([...WORKER_SETTINGS, ...spec.settings]);
  // Off (nothing installed) unless an OTLP endpoint or a trace file is set.
  const tracing = await startTracing({
    service: spec.name,
    otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
    file: config.FERRY_TRACE_FILE,
  });
  const logger = createLogger({
    service: spec.name,
    role: 'worker',
    dir: config.LOG_DIR,
    level: config.LOG_LEVEL,
    consoleFormat: config.LOG_FORMAT,
  });
  try {
    const nc = await connectNats({
      url: config.NATS_URL,
      name: `${spec.name}-${process.pid}`,
      identity: spec.name,
      security: natsSecurity(config),
    });
    const store = new JetStreamEventStore(nc, {
      onUnreadable: (commit) =>
        logger.warn({ commit }, 'a commit of the event store cannot be read: skipped'),
    });
    // The streams first (made here when NATS lets it, as the transport does): a worker started on a
    // server nobody provisioned follows the event stream before its consumer is made.
    await provisionStreams(await jetstreamManager(nc), config.NATS_STREAM_REPLICAS);
    const following = await Promise.all((spec.follows ?? []).map((c) => store.follow(c)));
    // Fires at SIGTERM, before the consumer closes: stages stop and their commands go to other replicas.
    const stopping = new AbortController();
    const stages: StageRunnerDeps = {
      store,
      nc,
      service: spec.name,
      leaseMs: config.STAGE_LEASE_SECONDS * 1000,
      stopping: stopping.signal,
      logger,
    };
    let wiring: Wiring;
    try {
      wiring = await spec.wire({ config, logger, nc, store, stages });
    } catch (error) {
      process.stderr.write(`${spec.name}: ${(error as Error).message}\n`);
      process.exit(2);
    }
    const consumer = {
      durable: spec.name,
      filterSubject: `ferry.cmd.${spec.commands ?? spec.name}.>`,
      ...spec.consumer?.(config),
    };
    const app = await createFerryMicroservice(wiring.module, {
      connection: nc,
      replicas: config.NATS_STREAM_REPLICAS,
      // A command holds its message while it runs: in-progress acks keep it, max_ack_pending bounds how many run.
      consumer: {
        ...consumer,
        concurrency: wiring.concurrency,
        ackWaitMs: config.NATS_ACK_WAIT_SECONDS * 1000,
        retry: {
          maxDeliver: config.COMMAND_MAX_FAILURES,
          backoffMs: config.COMMAND_BACKOFF_SECONDS.map((s) => s * 1000),
          outageMs: config.OUTAGE_WAIT_SECONDS * 1000,
        },
      },
      reject: rejectionRecorder(store),
      giveUp: giveUpOnJob(store),
      logger,
    });
    await app.listen();
    const stopMetrics = await serveWorkerMetrics({
      name: spec.name,
      consumer: consumer.durable,
      nc,
      port: config.METRICS_PORT,
      host: config.METRICS_HOST,
    });
    await wiring.listening?.();
    logger.info(
      { concurrency: wiring.concurrency, ...wiring.started },
      `${spec.name} service started`,
    );
    stopOnSignal(app, nc, {
      before: () => {
        stopping.abort();
        wiring.stop?.before?.();
      },
      after: async () => {
        await Promise.all(following.map((f) => f.close()));
        await stopMetrics?.();
        await wiring.stop?.after?.();
        await tracing.shutdown();
      },
    });
  } catch (error) {
    // A start cut short (NATS gone meanwhile, say) exits with its reason in the log: whatever runs
    // the service (compose's restart policy, systemd) starts it again.
    logger.fatal({ err: error }, `${spec.name} could not start`);
    process.exit(1);
  }
}
