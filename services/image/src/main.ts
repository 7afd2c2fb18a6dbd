// The image service: a worker on `ferry.cmd.image.upload.<FERRY_HOST>` uploading to Glance.
import 'reflect-metadata';
import { uploadSubject } from '@ferry/contracts';
import { imageDurable } from '@ferry/messaging';
import { Glance, OPENSTACK_SESSION_SETTINGS, serviceSession } from '@ferry/openstack';
import { runWorker } from '@ferry/runtime';
import { ImageModule } from './image.module.ts';

await runWorker({
  name: 'image',
  follows: ['migration'],
  // The uploads of the disks converted on this host (FERRY_HOST), which are in its folder.
  consumer: (config) => ({
    durable: imageDurable(config.FERRY_HOST),
    filterSubject: uploadSubject(config.FERRY_HOST),
    replaces: 'image',
  }),
  settings: [
    'FERRY_HOST',
    'IMAGE_CONCURRENCY',
    'IMAGE_ACTIVE_TIMEOUT_SECONDS',
    'UPLOAD_MIN_MIB_PER_SECOND',
    ...OPENSTACK_SESSION_SETTINGS,
  ],
  wire: ({ config, logger, stages }) => {
    const { session, http } = serviceSession(config, logger);
    return {
      module: ImageModule.register({
        runner: stages,
        glance: new Glance(session),
        activeTimeoutMs: config.IMAGE_ACTIVE_TIMEOUT_SECONDS * 1000,
        minBytesPerSecond: config.UPLOAD_MIN_MIB_PER_SECOND * 1024 * 1024,
        requestTimeoutMs: config.OPENSTACK_TIMEOUT_SECONDS * 1000,
      }),
      concurrency: config.IMAGE_CONCURRENCY,
      stop: { after: () => http.close() },
    };
  },
});
