// The jobs service: NATS, the event store, the JetStream transport, the inventory index, the process manager.
import 'reflect-metadata';
import { jetstreamManager } from '@nats-io/jetstream';
import { loadConfigOrExit } from '@ferry/config';
import { STREAMS } from '@ferry/contracts';
import { JetStreamEventStore, rejectionRecorder } from '@ferry/event-store';
import { connectNats, createFerryMicroservice, stopOnSignal } from '@ferry/messaging';
import { createLogger } from '@ferry/observability';
import {
  Neutron,
  Nova,
  parseNetworkMapping,
  resolveDeployTarget,
  serviceSession,
} from '@ferry/openstack';
import { rereadVm, SOURCE_SETTINGS } from '@ferry/vmware';
import { DEFAULT_OPTIONS } from './defaults.ts';
import { InventoryIndex } from './inventory-index.ts';
import { JobsModule } from './jobs.module.ts';
import { ProcessManager } from './process-manager.ts';

const config = loadConfigOrExit([
  'NATS_URL',
  'NATS_STREAM_REPLICAS',
  'NATS_ACK_WAIT_SECONDS',
  'JOBS_CONCURRENCY',
  'ENABLE_REAL_CONVERSION',
  'ENABLE_OPENSTACK_DEPLOYMENT',
  'ENABLE_ROLLBACK',
  'MIGRATION_OUTPUT_DIR',
  'OPENSTACK_CLOUD_NAME',
  'OPENSTACK_TIMEOUT_SECONDS',
  'OPENSTACK_RETRIES',
  'OPENSTACK_NETWORK_MAPPING',
  'LOG_LEVEL',
  'LOG_DIR',
  ...SOURCE_SETTINGS,
]);
const logger = createLogger({
  service: 'jobs',
  role: 'worker',
  dir: config.LOG_DIR,
  level: config.LOG_LEVEL,
});
const networkMapping = parseNetworkMapping(config.OPENSTACK_NETWORK_MAPPING);
const { session, http } = serviceSession({
  cloud: config.OPENSTACK_CLOUD_NAME,
  timeoutSeconds: config.OPENSTACK_TIMEOUT_SECONDS,
  retries: config.OPENSTACK_RETRIES,
  log: logger,
});
const openstack = { nova: new Nova(session), neutron: new Neutron(session) };
const nc = await connectNats({ url: config.NATS_URL, name: `jobs-${process.pid}` });
const store = new JetStreamEventStore(nc);
const jsm = await jetstreamManager(nc);
const stopping = new AbortController();
const inventory = new InventoryIndex(
  store,
  async () => (await jsm.streams.info(STREAMS.events)).state.last_seq,
);
const app = await createFerryMicroservice(
  JobsModule.register({
    store,
    inventory,
    flags: {
      realConversion: config.ENABLE_REAL_CONVERSION,
      openstackDeployment: config.ENABLE_OPENSTACK_DEPLOYMENT,
      rollback: config.ENABLE_ROLLBACK,
    },
    defaults: DEFAULT_OPTIONS,
    reread: (vm) => rereadVm(config, vm),
    outputDir: config.MIGRATION_OUTPUT_DIR,
    target: (vm, options) => resolveDeployTarget(openstack, vm, options, networkMapping),
  }),
  {
    connection: nc,
    replicas: config.NATS_STREAM_REPLICAS,
    consumer: {
      durable: 'jobs',
      filterSubject: 'ferry.cmd.migration.>',
      maxAckPending: config.JOBS_CONCURRENCY,
      ackWaitMs: config.NATS_ACK_WAIT_SECONDS * 1000,
    },
    reject: rejectionRecorder(store),
    logger,
  },
);
// The streams exist once the transport has provisioned them: the index and the process manager follow.
await app.listen();
void inventory.run(stopping.signal).catch((error: unknown) => {
  logger.fatal({ err: error }, 'the inventory index stopped');
  process.exit(1);
});
const processManager = new ProcessManager({
  nc,
  store,
  logger,
  ackWaitMs: config.NATS_ACK_WAIT_SECONDS * 1000,
});
await processManager.start();
logger.info(
  {
    concurrency: config.JOBS_CONCURRENCY,
    flags: {
      realConversion: config.ENABLE_REAL_CONVERSION,
      openstackDeployment: config.ENABLE_OPENSTACK_DEPLOYMENT,
      rollback: config.ENABLE_ROLLBACK,
    },
  },
  'jobs service started',
);

stopOnSignal(app, nc, {
  before: () => stopping.abort(),
  after: async () => {
    await processManager.stop();
    await http.close();
  },
});
