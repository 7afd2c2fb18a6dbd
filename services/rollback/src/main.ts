// The rollback service: NATS, the event store, the JetStream transport, Nova, Neutron, Cinder, Glance.
import 'reflect-metadata';
import { loadConfigOrExit } from '@ferry/config';
import { JetStreamEventStore, rejectionRecorder } from '@ferry/event-store';
import { connectNats, createFerryMicroservice, stopOnSignal } from '@ferry/messaging';
import { createLogger } from '@ferry/observability';
import { Cinder, Glance, Neutron, Nova, serviceSession } from '@ferry/openstack';
import { ROLLBACK_BACKOFF } from './retry-policy.ts';
import { RollbackModule } from './rollback.module.ts';

const config = loadConfigOrExit([
  'NATS_URL',
  'NATS_STREAM_REPLICAS',
  'NATS_ACK_WAIT_SECONDS',
  'ROLLBACK_CONCURRENCY',
  'ROLLBACK_KEEP',
  'MIGRATION_OUTPUT_DIR',
  'OPENSTACK_CLOUD_NAME',
  'OPENSTACK_TIMEOUT_SECONDS',
  'OPENSTACK_RETRIES',
  'LOG_LEVEL',
  'LOG_DIR',
]);
const logger = createLogger({
  service: 'rollback',
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
const nc = await connectNats({ url: config.NATS_URL, name: `rollback-${process.pid}` });
const store = new JetStreamEventStore(nc);
const app = await createFerryMicroservice(
  RollbackModule.register({
    store,
    nova: new Nova(session),
    neutron: new Neutron(session),
    cinder: new Cinder(session),
    glance: new Glance(session),
    outputDir: config.MIGRATION_OUTPUT_DIR,
    keep: config.ROLLBACK_KEEP,
    // Nova and Cinder delete in the background: a server or volume not gone in this time fails its step.
    goneTimeoutMs: 300_000,
    pollMs: 1000,
    backoff: ROLLBACK_BACKOFF,
    log: logger,
  }),
  {
    connection: nc,
    replicas: config.NATS_STREAM_REPLICAS,
    consumer: {
      durable: 'rollback',
      filterSubject: 'ferry.cmd.rollback.>',
      maxAckPending: config.ROLLBACK_CONCURRENCY,
      ackWaitMs: config.NATS_ACK_WAIT_SECONDS * 1000,
    },
    reject: rejectionRecorder(store),
    logger,
  },
);
await app.listen();
logger.info(
  { concurrency: config.ROLLBACK_CONCURRENCY, keep: config.ROLLBACK_KEEP },
  'rollback service started',
);

stopOnSignal(app, nc, { after: () => http.close() });
