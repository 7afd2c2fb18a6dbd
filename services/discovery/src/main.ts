// The discovery service: a worker on `ferry.cmd.discovery.>`, and the refresh schedule.
import 'reflect-metadata';
import { jetstream } from '@nats-io/jetstream';
import { runWorker } from '@ferry/runtime';
import { configuredSources, SOURCE_SETTINGS } from '@ferry/vmware';
import { DiscoveryModule } from './discovery.module.ts';
import { scheduleRefresh } from './schedule.ts';

await runWorker({
  name: 'discovery',
  settings: [...SOURCE_SETTINGS, 'DISCOVERY_CONCURRENCY', 'DISCOVERY_INTERVAL_SECONDS'],
  wire: ({ config, logger, nc, store }) => {
    const sources = configuredSources(config);
    let stopSchedule: () => void = () => undefined;
    return {
      module: DiscoveryModule.register({ store, sources, logger }),
      // Scans take long and run one source at a time per command: a few at once is plenty.
      concurrency: config.DISCOVERY_CONCURRENCY,
      started: { sources: sources.map((s) => s.ref) },
      listening: () => {
        stopSchedule = scheduleRefresh(jetstream(nc), config.DISCOVERY_INTERVAL_SECONDS, (error) =>
          logger.warn({ err: error }, 'could not ask for a refresh'),
        );
      },
      stop: { before: () => stopSchedule() },
    };
  },
});
