// The rollback service: a worker on `ferry.cmd.rollback.>` removing what failed jobs created.
import 'reflect-metadata';
import {
  Cinder,
  Glance,
  Neutron,
  Nova,
  OPENSTACK_SESSION_SETTINGS,
  serviceSession,
} from '@ferry/openstack';
import { runWorker } from '@ferry/runtime';
import { ROLLBACK_BACKOFF } from './retry-policy.ts';
import { RollbackModule } from './rollback.module.ts';

await runWorker({
  name: 'rollback',
  follows: ['migration'],
  settings: [
    'ROLLBACK_CONCURRENCY',
    'ROLLBACK_KEEP',
    'ROLLBACK_DEADLINE_SECONDS',
    'MIGRATION_OUTPUT_DIR',
    ...OPENSTACK_SESSION_SETTINGS,
  ],
  wire: ({ config, logger, stages }) => {
    const { session, http } = serviceSession(config, logger);
    return {
      module: RollbackModule.register({
        runner: stages,
        nova: new Nova(session),
        neutron: new Neutron(session),
        cinder: new Cinder(session),
        glance: new Glance(session),
        outputDir: config.MIGRATION_OUTPUT_DIR,
        keep: config.ROLLBACK_KEEP,
        // Nova and Cinder delete in the background: a server or volume not gone in this time fails its step.
        goneTimeoutMs: 300_000,
        pollMs: 1000,
        backoff: {
          ...ROLLBACK_BACKOFF,
          unreachableForMs: config.ROLLBACK_DEADLINE_SECONDS * 1000,
        },
        log: logger,
      }),
      concurrency: config.ROLLBACK_CONCURRENCY,
      started: { keep: config.ROLLBACK_KEEP },
      stop: { after: () => http.close() },
    };
  },
});
