// The compute service: a worker on `ferry.cmd.compute.>` creating and verifying servers in Nova.
import 'reflect-metadata';
import {
  Cinder,
  Glance,
  Neutron,
  Nova,
  Placement,
  parseNetworkMapping,
  OPENSTACK_SESSION_SETTINGS,
  serviceSession,
} from '@ferry/openstack';
import { runWorker } from '@ferry/runtime';
import { ComputeModule } from './compute.module.ts';

await runWorker({
  name: 'compute',
  follows: ['migration'],
  settings: [
    'COMPUTE_CONCURRENCY',
    ...OPENSTACK_SESSION_SETTINGS,
    'OPENSTACK_NETWORK_MAPPING',
    'OPENSTACK_VERIFY_TIMEOUT_SECONDS',
    'OPENSTACK_VERIFY_BOOT_SECONDS',
    'OPENSTACK_VERIFY_INTERVAL_SECONDS',
    'VOLUME_READY_TIMEOUT_SECONDS',
  ],
  wire: ({ config, logger, stages }) => {
    const networkMapping = parseNetworkMapping(config.OPENSTACK_NETWORK_MAPPING);
    const { session, http } = serviceSession(config, logger);
    return {
      module: ComputeModule.register({
        runner: stages,
        nova: new Nova(session),
        neutron: new Neutron(session),
        cinder: new Cinder(session),
        placement: new Placement(session),
        glance: new Glance(session),
        networkMapping,
        volumeTimeoutMs: config.VOLUME_READY_TIMEOUT_SECONDS * 1000,
        verifyTimeoutMs: config.OPENSTACK_VERIFY_TIMEOUT_SECONDS * 1000,
        bootWaitMs: config.OPENSTACK_VERIFY_BOOT_SECONDS * 1000,
        pollMs: config.OPENSTACK_VERIFY_INTERVAL_SECONDS * 1000,
      }),
      concurrency: config.COMPUTE_CONCURRENCY,
      stop: { after: () => http.close() },
    };
  },
});
