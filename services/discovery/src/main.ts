// The discovery service: NATS, the event store, the JetStream transport, the refresh schedule.
import 'reflect-metadata';
import { jetstream } from '@nats-io/jetstream';
import { loadConfigOrExit } from '@ferry/config';
import { JetStreamEventStore, rejectionRecorder } from '@ferry/event-store';
import { connectNats, createFerryMicroservice, stopOnSignal } from '@ferry/messaging';
import { createLogger } from '@ferry/observability';
import { configuredSources, SOURCE_SETTINGS } from '@ferry/vmware';
import { DiscoveryModule } from './discovery.module.ts';
import { scheduleRefresh } from './schedule.ts';

const config = loadConfigOrExit([
  ...SOURCE_SETTINGS,
  'NATS_URL',
  'NATS_STREAM_REPLICAS',
  'NATS_ACK_WAIT_SECONDS',
  'DISCOVERY_CONCURRENCY',
  'DISCOVERY_INTERVAL_SECONDS',
  'LOG_LEVEL',
  'LOG_DIR',
]);
const logger = createLogger({
  service: 'discovery',
  role: 'worker',
  dir: config.LOG_DIR,
  level: config.LOG_LEVEL,
});
const sources = configuredSources(config);
const nc = await connectNats({ url: config.NATS_URL, name: `discovery-${process.pid}` });
const store = new JetStreamEventStore(nc);
const app = await createFerryMicroservice(DiscoveryModule.register({ store, sources, logger }), {
  connection: nc,
  replicas: config.NATS_STREAM_REPLICAS,
  // Scans take long and run one source at a time per command: a few at once is plenty.
  consumer: {
    durable: 'discovery',
    filterSubject: 'ferry.cmd.discovery.>',
    maxAckPending: config.DISCOVERY_CONCURRENCY,
    ackWaitMs: config.NATS_ACK_WAIT_SECONDS * 1000,
  },
  reject: rejectionRecorder(store),
  logger,
});
await app.listen();
const stopSchedule = scheduleRefresh(jetstream(nc), config.DISCOVERY_INTERVAL_SECONDS, (error) =>
  logger.warn({ err: error }, 'could not ask for a refresh'),
);
logger.info({ sources: sources.map((s) => s.ref) }, 'discovery service started');

stopOnSignal(app, nc, { before: stopSchedule });
