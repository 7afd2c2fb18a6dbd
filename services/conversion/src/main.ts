// The conversion service: a worker on `ferry.cmd.conversion.>` running qemu-img and virt-v2v.
import 'reflect-metadata';
import { runWorker } from '@ferry/runtime';
import { SOURCE_SETTINGS, vsphereConnections } from '@ferry/vmware';
import { Cancellations } from './cancellations.ts';
import { ConversionModule } from './conversion.module.ts';

await runWorker({
  name: 'conversion',
  settings: [
    'CONVERSION_CONCURRENCY',
    'MIGRATION_OUTPUT_DIR',
    'VIRT_V2V_TIMEOUT_SECONDS',
    ...SOURCE_SETTINGS,
  ],
  wire: ({ config, nc, store }) => {
    const stopping = new AbortController();
    const cancellations = new Cancellations(nc);
    return {
      module: ConversionModule.register({
        store,
        cancellations,
        outputDir: config.MIGRATION_OUTPUT_DIR,
        timeoutMs: config.VIRT_V2V_TIMEOUT_SECONDS * 1000,
        signal: stopping.signal,
        vsphere: vsphereConnections(config),
      }),
      concurrency: config.CONVERSION_CONCURRENCY,
      started: { outputDir: config.MIGRATION_OUTPUT_DIR },
      stop: { before: () => stopping.abort(), after: () => cancellations.close() },
    };
  },
});
