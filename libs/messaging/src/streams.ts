import {
  DiscardPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import {
  COMMAND_SUBJECT_PREFIX,
  DEAD_LETTER_SUBJECT_PREFIX,
  EVENT_SUBJECT_PREFIX,
  STREAMS,
} from '@ferry/contracts';

const MINUTE_NS = 60 * 1_000_000_000;
const DAY_NS = 24 * 60 * MINUTE_NS;

/** Ferry's three streams: commands (a work queue), events (the store: append-only), dead letters. */
export function streamConfigs(replicas: number): (Partial<StreamConfig> & { name: string })[] {
  return [
    {
      name: STREAMS.commands,
      subjects: [`${COMMAND_SUBJECT_PREFIX}.>`],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      num_replicas: replicas,
      duplicate_window: 2 * MINUTE_NS,
      max_msg_size: 1024 * 1024,
      discard: DiscardPolicy.Old,
    },
    {
      name: STREAMS.events,
      subjects: [`${EVENT_SUBJECT_PREFIX}.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      num_replicas: replicas,
      duplicate_window: 2 * MINUTE_NS,
      deny_delete: true,
      deny_purge: true,
      allow_direct: true,
      // A commit is one message; the client refuses larger ones before sending.
      max_msg_size: 1024 * 1024,
    },
    {
      name: STREAMS.deadLetters,
      subjects: [`${DEAD_LETTER_SUBJECT_PREFIX}.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      num_replicas: replicas,
      max_age: 30 * DAY_NS,
    },
  ];
}

// JetStream API error: "stream name already in use with a different configuration".
const STREAM_NAME_IN_USE = 10058;

/**
 * Creates each stream, or brings an existing one to the configuration: idempotent, and safe when
 * several replicas of several services start at once.
 */
export async function provisionStreams(jsm: JetStreamManager, replicas = 1): Promise<void> {
  for (const config of streamConfigs(replicas)) {
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
