// The compute service: NATS, the event store, the JetStream transport, Nova, Neutron, Cinder, Glance.
import 'reflect-metadata';
import { loadConfigOrExit } from '@ferry/config';
import { JetStreamEventStore, rejectionRecorder } from '@ferry/event-store';
import { connectNats, createFerryMicroservice, stopOnSignal } from '@ferry/messaging';
import { createLogger } from '@ferry/observability';
import {
  Cinder,
  Glance,
  Neutron,
  Nova,
  parseNetworkMapping,
  serviceSession,
} from '@ferry/openstack';
import { ComputeModule } from './compute.module.ts';

const config = loadConfigOrExit([
  'NATS_URL',
  'NATS_STREAM_REPLICAS',
  'NATS_ACK_WAIT_SECONDS',
  'COMPUTE_CONCURRENCY',
  'OPENSTACK_CLOUD_NAME',
  'OPENSTACK_TIMEOUT_SECONDS',
  'OPENSTACK_RETRIES',
  'OPENSTACK_NETWORK_MAPPING',
  'OPENSTACK_VERIFY_TIMEOUT_SECONDS',
  'OPENSTACK_VERIFY_INTERVAL_SECONDS',
  'VOLUME_READY_TIMEOUT_SECONDS',
  'LOG_LEVEL',
  'LOG_DIR',
]);
const logger = createLogger({
  service: 'compute',
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
const networkMapping = (() => {
  try {
    return parseNetworkMapping(config.OPENSTACK_NETWORK_MAPPING);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
})();
const nc = await connectNats({ url: config.NATS_URL, name: `compute-${process.pid}` });
const store = new JetStreamEventStore(nc);
const app = await createFerryMicroservice(
  ComputeModule.register({
    store,
    nova: new Nova(session),
    neutron: new Neutron(session),
    cinder: new Cinder(session),
    glance: new Glance(session),
    networkMapping,
    volumeTimeoutMs: config.VOLUME_READY_TIMEOUT_SECONDS * 1000,
    verifyTimeoutMs: config.OPENSTACK_VERIFY_TIMEOUT_SECONDS * 1000,
    pollMs: config.OPENSTACK_VERIFY_INTERVAL_SECONDS * 1000,
  }),
  {
    connection: nc,
    replicas: config.NATS_STREAM_REPLICAS,
    consumer: {
      durable: 'compute',
      filterSubject: 'ferry.cmd.compute.>',
      maxAckPending: config.COMPUTE_CONCURRENCY,
      ackWaitMs: config.NATS_ACK_WAIT_SECONDS * 1000,
    },
    reject: rejectionRecorder(store),
    logger,
  },
);
await app.listen();
logger.info({ concurrency: config.COMPUTE_CONCURRENCY }, 'compute service started');

stopOnSignal(app, nc, { after: () => http.close() });
