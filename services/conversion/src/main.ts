// The conversion service: a worker on `ferry.cmd.conversion.>` running qemu-img and virt-v2v.
import 'reflect-metadata';
import { runWorker } from '@ferry/runtime';
import { SOURCE_SETTINGS, vsphereConnections } from '@ferry/vmware';
import { ConversionModule } from './conversion.module.ts';

await runWorker({
  name: 'conversion',
  follows: ['migration'],
  settings: [
    'CONVERSION_CONCURRENCY',
    'MIGRATION_OUTPUT_DIR',
    'FERRY_HOST',
    'VIRT_V2V_TIMEOUT_SECONDS',
    'VIRTIO_WIN',
    ...SOURCE_SETTINGS,
  ],
  wire: ({ config, stages }) => ({
    module: ConversionModule.register({
      runner: stages,
      outputDir: config.MIGRATION_OUTPUT_DIR,
      host: config.FERRY_HOST,
      timeoutMs: config.VIRT_V2V_TIMEOUT_SECONDS * 1000,
      vsphere: vsphereConnections(config),
      ...(config.VIRTIO_WIN ? { virtioWin: config.VIRTIO_WIN } : {}),
    }),
    concurrency: config.CONVERSION_CONCURRENCY,
    started: { outputDir: config.MIGRATION_OUTPUT_DIR, host: config.FERRY_HOST },
  }),
});
