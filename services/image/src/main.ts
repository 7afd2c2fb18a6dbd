// The image service: NATS, the event store, the JetStream transport, Glance.
import 'reflect-metadata';
import { loadConfigOrExit } from '@ferry/config';
import { JetStreamEventStore, rejectionRecorder } from '@ferry/event-store';
import { connectNats, createFerryMicroservice, stopOnSignal } from '@ferry/messaging';
import { createLogger } from '@ferry/observability';
import { Glance, serviceSession } from '@ferry/openstack';
import { ImageModule } from './image.module.ts';

const config = loadConfigOrExit([
  'NATS_URL',
  'NATS_STREAM_REPLICAS',
  'NATS_ACK_WAIT_SECONDS',
  'IMAGE_CONCURRENCY',
  'IMAGE_ACTIVE_TIMEOUT_SECONDS',
  'OPENSTACK_CLOUD_NAME',
  'OPENSTACK_TIMEOUT_SECONDS',
  'OPENSTACK_RETRIES',
  'LOG_LEVEL',
  'LOG_DIR',
]);
const logger = createLogger({
  service: 'image',
  role: 'worker',
  dir: config.LOG_DIR,
  level: config.LOG_LEVEL,
});
const { session, http } = serviceSession({
  cloud: config.OPENSTACK_CLOUD_NAME,
  timeoutSeconds: config.OPENSTACK_TIMEOUT_SECONDS,
  retries: config.OPENSTACK_RETRIES,
  log: logger,
});
const nc = await connectNats({ url: config.NATS_URL, name: `image-${process.pid}` });
const store = new JetStreamEventStore(nc);
const app = await createFerryMicroservice(
  ImageModule.register({
    store,
    glance: new Glance(session),
    activeTimeoutMs: config.IMAGE_ACTIVE_TIMEOUT_SECONDS * 1000,
  }),
  {
    connection: nc,
    replicas: config.NATS_STREAM_REPLICAS,
    // An upload holds its message for as long as it runs: working() keeps it, max_ack_pending bounds how many run at once.
    consumer: {
      durable: 'image',
      filterSubject: 'ferry.cmd.image.>',
      maxAckPending: config.IMAGE_CONCURRENCY,
      ackWaitMs: config.NATS_ACK_WAIT_SECONDS * 1000,
    },
    reject: rejectionRecorder(store),
    logger,
  },
);
await app.listen();
logger.info({ concurrency: config.IMAGE_CONCURRENCY }, 'image service started');

stopOnSignal(app, nc, { after: () => http.close() });
