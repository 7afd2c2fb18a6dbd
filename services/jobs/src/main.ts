// The jobs service: a worker on `ferry.cmd.migration.>`, its inventory index and the process manager.
import 'reflect-metadata';
import { jetstreamManager } from '@nats-io/jetstream';
import {
  Cinder,
  Neutron,
  Nova,
  Placement,
  parseNetworkMapping,
  OPENSTACK_SESSION_SETTINGS,
  serviceSession,
} from '@ferry/openstack';
import { runWorker } from '@ferry/runtime';
import { rereadVm, SOURCE_SETTINGS } from '@ferry/vmware';
import { DEFAULT_OPTIONS } from './defaults.ts';
import { InventoryIndex, inventoryHead } from './inventory-index.ts';
import { JobsModule } from './jobs.module.ts';
import { selectionShortfalls, targetQuestions } from './target-questions.ts';
import { ProcessManager } from './process-manager.ts';
import { Watchdog } from './watchdog.ts';

await runWorker({
  name: 'jobs',
  follows: ['migration'],
  commands: 'migration',
  settings: [
    'JOBS_CONCURRENCY',
    'ENABLE_REAL_CONVERSION',
    'ENABLE_OPENSTACK_DEPLOYMENT',
    'ENABLE_ROLLBACK',
    'MIGRATION_OUTPUT_DIR',
    'REACTION_MAX_FAILURES',
    'REACTION_BACKOFF_SECONDS',
    'WATCHDOG_INTERVAL_SECONDS',
    'STAGE_BUDGET_VALIDATION_SECONDS',
    'STAGE_BUDGET_CONVERSION_SECONDS',
    'STAGE_BUDGET_CONVERSION_SECONDS_PER_GIB',
    'STAGE_BUDGET_UPLOAD_SECONDS',
    'STAGE_BUDGET_UPLOAD_SECONDS_PER_GIB',
    'STAGE_BUDGET_DEPLOYMENT_SECONDS',
    'STAGE_BUDGET_VERIFICATION_SECONDS',
    ...OPENSTACK_SESSION_SETTINGS,
    'OPENSTACK_NETWORK_MAPPING',
    'OPENSTACK_QUOTA_PRECHECK',
    ...SOURCE_SETTINGS,
  ],
  wire: async ({ config, logger, nc, store, stages }) => {
    const networkMapping = parseNetworkMapping(config.OPENSTACK_NETWORK_MAPPING);
    const { session, http } = serviceSession(config, logger);
    const openstack = {
      nova: new Nova(session),
      neutron: new Neutron(session),
      cinder: new Cinder(session),
      placement: new Placement(session),
    };
    const jsm = await jetstreamManager(nc);
    const stopping = new AbortController();
    const inventory = new InventoryIndex(store, () => inventoryHead(jsm));
    const processManager = new ProcessManager({
      nc,
      store,
      logger,
      ackWaitMs: config.NATS_ACK_WAIT_SECONDS * 1000,
      retry: {
        maxDeliver: config.REACTION_MAX_FAILURES,
        backoffMs: config.REACTION_BACKOFF_SECONDS.map((seconds) => seconds * 1000),
        outageMs: config.OUTAGE_WAIT_SECONDS * 1000,
      },
    });
    const s = (seconds: number) => seconds * 1000;
    const watchdog = new Watchdog({
      store,
      intervalMs: s(config.WATCHDOG_INTERVAL_SECONDS),
      budgets: {
        validation: { baseMs: s(config.STAGE_BUDGET_VALIDATION_SECONDS), perGibMs: 0 },
        conversion: {
          baseMs: s(config.STAGE_BUDGET_CONVERSION_SECONDS),
          perGibMs: s(config.STAGE_BUDGET_CONVERSION_SECONDS_PER_GIB),
        },
        upload: {
          baseMs: s(config.STAGE_BUDGET_UPLOAD_SECONDS),
          perGibMs: s(config.STAGE_BUDGET_UPLOAD_SECONDS_PER_GIB),
        },
        deployment: { baseMs: s(config.STAGE_BUDGET_DEPLOYMENT_SECONDS), perGibMs: 0 },
        verification: { baseMs: s(config.STAGE_BUDGET_VERIFICATION_SECONDS), perGibMs: 0 },
      },
      logger,
    });
    const flags = {
      realConversion: config.ENABLE_REAL_CONVERSION,
      openstackDeployment: config.ENABLE_OPENSTACK_DEPLOYMENT,
      rollback: config.ENABLE_ROLLBACK,
    };
    return {
      module: JobsModule.register({
        store,
        runner: stages,
        inventory,
        flags,
        defaults: DEFAULT_OPTIONS,
        reread: (vm) => rereadVm(config, vm),
        outputDir: config.MIGRATION_OUTPUT_DIR,
        // The store refuses a commit within 1 KiB of max_payload; the event's id and metadata take the rest.
        maxOutcomeBytes: (nc.info?.max_payload ?? 1024 * 1024) - 4096,
        ...targetQuestions(openstack, networkMapping),
        ...(config.OPENSTACK_QUOTA_PRECHECK
          ? { shortfalls: selectionShortfalls(openstack, session) }
          : {}),
      }),
      concurrency: config.JOBS_CONCURRENCY,
      started: { flags },
      // The streams exist once the transport has provisioned them: the index and the process manager follow.
      listening: async () => {
        void inventory.run(stopping.signal).catch((error: unknown) => {
          logger.fatal({ err: error }, 'the inventory index stopped');
          process.exit(1);
        });
        await processManager.start();
        void watchdog.run(stopping.signal).catch((error: unknown) => {
          logger.fatal({ err: error }, 'the watchdog stopped');
          process.exit(1);
        });
      },
      stop: {
        before: () => stopping.abort(),
        after: async () => {
          await processManager.stop();
          await http.close();
        },
      },
    };
  },
});
