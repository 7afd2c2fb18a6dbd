// The conversion service: NATS, the event store, the JetStream transport, the converters.
import 'reflect-metadata';
import { loadConfigOrExit } from '@ferry/config';
import { JetStreamEventStore, rejectionRecorder } from '@ferry/event-store';
import { connectNats, createFerryMicroservice, stopOnSignal } from '@ferry/messaging';
import { createLogger } from '@ferry/observability';
import { SOURCE_SETTINGS, vsphereConnections } from '@ferry/vmware';
import { Cancellations } from './cancellations.ts';
import { ConversionModule } from './conversion.module.ts';

const config = loadConfigOrExit([
  'NATS_URL',
  'NATS_STREAM_REPLICAS',
  'NATS_ACK_WAIT_SECONDS',
  'CONVERSION_CONCURRENCY',
  'MIGRATION_OUTPUT_DIR',
  'VIRT_V2V_TIMEOUT_SECONDS',
  'LOG_LEVEL',
  'LOG_DIR',
  ...SOURCE_SETTINGS,
]);
const logger = createLogger({
  service: 'conversion',
  role: 'worker',
  dir: config.LOG_DIR,
  level: config.LOG_LEVEL,
});
const nc = await connectNats({ url: config.NATS_URL, name: `conversion-${process.pid}` });
const store = new JetStreamEventStore(nc);
const stopping = new AbortController();
const cancellations = new Cancellations(nc);
const app = await createFerryMicroservice(
  ConversionModule.register({
    store,
    cancellations,
    outputDir: config.MIGRATION_OUTPUT_DIR,
    timeoutMs: config.VIRT_V2V_TIMEOUT_SECONDS * 1000,
    signal: stopping.signal,
    vsphere: vsphereConnections(config),
  }),
  {
    connection: nc,
    replicas: config.NATS_STREAM_REPLICAS,
    // A conversion holds its message for hours: working() keeps it, max_ack_pending bounds how many run at once.
    consumer: {
      durable: 'conversion',
      filterSubject: 'ferry.cmd.conversion.>',
      maxAckPending: config.CONVERSION_CONCURRENCY,
      ackWaitMs: config.NATS_ACK_WAIT_SECONDS * 1000,
    },
    reject: rejectionRecorder(store),
    logger,
  },
);
await app.listen();
logger.info(
  { outputDir: config.MIGRATION_OUTPUT_DIR, concurrency: config.CONVERSION_CONCURRENCY },
  'conversion service started',
);

stopOnSignal(app, nc, { before: () => stopping.abort(), after: () => cancellations.close() });
