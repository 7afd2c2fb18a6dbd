import { guardOf, STREAMS, ToolLogBatch, toolLogSubject, type ToolLogLine } from '@ferry/contracts';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from './connection.ts';

const isBatch = guardOf<ToolLogBatch>(ToolLogBatch);
const FLUSH_MS = 500;
const MAX_BATCH = 200;
/** A line longer than the contract allows is cut, never lost whole. */
const MAX_TEXT = 8192;

export interface ToolLogWriter {
  /** Adds a line (secrets already removed); sent within half a second. */
  add(line: Omit<ToolLogLine, 'at'>): void;
  /** Sends what is left; the log is complete when it resolves. */
  close(): Promise<void>;
}

/**
 * A job's tool log, written in batches to the tool log stream. A log is for people to read: a
 * batch NATS refuses is dropped with a warning rather than failing the conversion it describes.
 */
export function toolLogWriter(
  nc: NatsConnection,
  jobId: string,
  warn: (error: unknown) => void,
): ToolLogWriter {
  const js = jetstream(nc);
  let pending: ToolLogLine[] = [];
  let timer: NodeJS.Timeout | undefined;
  let sending: Promise<void> = Promise.resolve();
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return sending;
    const lines = pending;
    pending = [];
    sending = sending
      .then(() => js.publish(toolLogSubject(jobId), JSON.stringify({ lines })))
      .then(
        () => undefined,
        (error: unknown) => warn(error),
      );
    return sending;
  };
  return {
    add(line) {
      pending.push({ ...line, at: new Date().toISOString(), text: line.text.slice(0, MAX_TEXT) });
      if (pending.length >= MAX_BATCH) void flush();
      else timer ??= setTimeout(() => void flush(), FLUSH_MS);
    },
    close: () => flush(),
  };
}

/** The last `limit` lines of a job's tool log, oldest first; lines that fail the contract are skipped. */
export async function readToolLog(
  nc: NatsConnection,
  jobId: string,
  limit = 2000,
): Promise<ToolLogLine[]> {
  const subject = toolLogSubject(jobId);
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(STREAMS.toolLogs, { subjects_filter: subject });
  const count = info.state.subjects?.[subject] ?? 0;
  if (count === 0) return [];
  const consumer = await jetstream(nc).consumers.get(STREAMS.toolLogs, {
    filter_subjects: subject,
    deliver_policy: DeliverPolicy.All,
  });
  const lines: ToolLogLine[] = [];
  const messages = await consumer.fetch({ max_messages: count, expires: 5_000 });
  for await (const m of messages) {
    const batch: unknown = (() => {
      try {
        return m.json();
      } catch {
        return undefined;
      }
    })();
    if (isBatch(batch)) lines.push(...batch.lines);
    if (m.info.pending === 0) break;
  }
  return lines.slice(-limit);
}
