// The image service: a worker on `ferry.cmd.image.>` uploading to Glance.
import 'reflect-metadata';
import { Glance, OPENSTACK_SESSION_SETTINGS, serviceSession } from '@ferry/openstack';
import { runWorker } from '@ferry/runtime';
import { ImageModule } from './image.module.ts';

await runWorker({
  name: 'image',
  settings: ['IMAGE_CONCURRENCY', 'IMAGE_ACTIVE_TIMEOUT_SECONDS', ...OPENSTACK_SESSION_SETTINGS],
  wire: ({ config, logger, store }) => {
    const { session, http } = serviceSession(config, logger);
    return {
      module: ImageModule.register({
        store,
        glance: new Glance(session),
        activeTimeoutMs: config.IMAGE_ACTIVE_TIMEOUT_SECONDS * 1000,
      }),
      concurrency: config.IMAGE_CONCURRENCY,
      stop: { after: () => http.close() },
    };
  },
});
