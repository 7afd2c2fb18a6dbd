import {
  COMMAND_SUBJECT_PREFIX,
  DEAD_LETTER_SUBJECT_PREFIX,
  EVENT_SUBJECT_PREFIX,
  STREAMS,
  TOOL_LOG_SUBJECT_PREFIX,
} from './subjects.ts';

const MINUTE_NS = 60 * 1_000_000_000;
/** A command or a commit, at most: a 10,000-VM selection and its outcome (Ferry's NATS allows 4 MB). */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
const DAY_NS = 24 * 60 * MINUTE_NS;

/** A JetStream stream's configuration, in JetStream's own field names and values. */
export interface StreamSettings {
  readonly name: string;
  readonly subjects: readonly string[];
  readonly retention: 'limits' | 'workqueue';
  readonly storage: 'file';
  readonly num_replicas: number;
  readonly duplicate_window?: number;
  readonly max_msg_size?: number;
  readonly discard?: 'old';
  readonly deny_delete?: boolean;
  readonly deny_purge?: boolean;
  readonly allow_direct?: boolean;
  readonly max_age?: number;
  readonly max_msgs_per_subject?: number;
}

/**
 * Ferry's streams: commands (a work queue), events (the store: append-only), dead letters, and
 * the jobs' tool logs (bounded per job and in age: a log is for reading, not for state).
 */
export function streamConfigs(replicas: number): StreamSettings[] {
  return [
    {
      name: STREAMS.commands,
      subjects: [`${COMMAND_SUBJECT_PREFIX}.>`],
      retention: 'workqueue',
      storage: 'file',
      num_replicas: replicas,
      duplicate_window: 2 * MINUTE_NS,
      max_msg_size: MAX_MESSAGE_BYTES,
      discard: 'old',
    },
    {
      name: STREAMS.events,
      subjects: [`${EVENT_SUBJECT_PREFIX}.>`],
      retention: 'limits',
      storage: 'file',
      num_replicas: replicas,
      duplicate_window: 2 * MINUTE_NS,
      deny_delete: true,
      deny_purge: true,
      allow_direct: true,
      // A commit is one message; the client refuses larger ones before sending.
      max_msg_size: MAX_MESSAGE_BYTES,
    },
    {
      name: STREAMS.deadLetters,
      subjects: [`${DEAD_LETTER_SUBJECT_PREFIX}.>`],
      retention: 'limits',
      storage: 'file',
      num_replicas: replicas,
      max_age: 30 * DAY_NS,
    },
    {
      name: STREAMS.toolLogs,
      subjects: [`${TOOL_LOG_SUBJECT_PREFIX}.*`],
      retention: 'limits',
      storage: 'file',
      num_replicas: replicas,
      max_age: 30 * DAY_NS,
      max_msgs_per_subject: 2000,
      max_msg_size: 64 * 1024,
      discard: 'old',
      allow_direct: true,
    },
  ];
}
