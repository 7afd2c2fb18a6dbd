import { JetStreamApiError, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { streamConfigs } from '@ferry/contracts';

// JetStream API error: "stream name already in use with a different configuration".
const STREAM_NAME_IN_USE = 10058;

/**
 * Creates each stream, or brings an existing one to the configuration: idempotent, and safe when
 * several replicas of several services start at once.
 */
export async function provisionStreams(jsm: JetStreamManager, replicas = 1): Promise<void> {
  for (const settings of streamConfigs(replicas)) {
    // JetStream's own names and values: the settings are its configuration as they are.
    const config = settings as unknown as Partial<StreamConfig> & { name: string };
    const { name } = config;
    const existing = await jsm.streams.info(name).catch((error: unknown) => {
      if (error instanceof JetStreamApiError && error.code === 10059) return null; // stream not found
      throw error;
    });
    if (existing === null) {
      try {
        await jsm.streams.add(config);
        continue;
      } catch (error) {
        if (!(error instanceof JetStreamApiError && error.code === STREAM_NAME_IN_USE)) throw error;
      }
    }
    const current = existing?.config ?? (await jsm.streams.info(name)).config;
    if (current.retention !== config.retention) {
      throw new Error(
        `stream ${name} exists with retention ${current.retention}; Ferry needs ${config.retention}`,
      );
    }
    if (differs(current, config)) await jsm.streams.update(name, { ...current, ...config });
  }
}

const differs = (current: StreamConfig, wanted: Partial<StreamConfig>) =>
  Object.entries(wanted).some(
    ([k, v]) => JSON.stringify(current[k as keyof StreamConfig]) !== JSON.stringify(v),
  );
