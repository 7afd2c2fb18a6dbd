import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import {
  JetStreamEventStore,
  KvCheckpointStore,
  runProjection,
  type NewEvent,
} from '@ferry/event-store';
import { connectNats, provisionStreams } from '@ferry/messaging';
import { startNatsServer } from '@ferry/testing';
import { compare, type Measurement } from './measure.ts';

const PARALLEL = 100; // commits in flight at once: as many jobs progressing together
const APPENDS = 20_000;
const REPLAY_EVENTS = 200_000;

/** A ~300-byte event, as a job's progress event is. */
const payloadEvent = (i: number): NewEvent => ({
  type: 'ConversionProgressed',
  data: { jobId: `job-${i % 1000}`, diskIndex: 0, percent: i % 100, bytesDone: i * 1_048_576 },
  metadata: {
    commandId: `cmd-${i}`,
    correlationId: `corr-${i % 1000}`,
    causationId: `cmd-${i}`,
    occurredAt: '2026-11-25T10:00:00.000Z',
  },
});

/**
 * The event store against raw JetStream on one nats-server: append rate against raw publishes of
 * the same payloads, and the projection runner's replay against a raw ordered consumer that reads and
 * JSON-decodes the same 200k events.
 */
export async function storeBench(): Promise<Measurement[]> {
  const server = await startNatsServer();
  try {
    const nc = await connectNats({ url: server.url, name: 'bench' });
    const jsm = await jetstreamManager(nc);
    await provisionStreams(jsm);
    const js = jetstream(nc);
    const store = new JetStreamEventStore(nc);
    const bytesOf = (i: number) =>
      new TextEncoder().encode(
        JSON.stringify({ revision: 0, events: [{ id: crypto.randomUUID(), ...payloadEvent(i) }] }),
      );

    const append = await compare({
      bench: 'store',
      metric: 'append_rate',
      unit: 'events/s',
      goal: '>= 0.7',
      rounds: 5,
      raw: async (round) => {
        const started = performance.now();
        for (let i = 0; i < APPENDS; i += PARALLEL) {
          await Promise.all(
            Array.from({ length: PARALLEL }, (_, k) =>
              js.publish(`ferry.evt.raw.r${round}x${k}`, bytesOf(i + k)),
            ),
          );
        }
        return APPENDS / ((performance.now() - started) / 1000);
      },
      ferry: async (round) => {
        const revisions: (number | 'no-stream')[] = Array.from(
          { length: PARALLEL },
          () => 'no-stream',
        );
        const started = performance.now();
        for (let i = 0; i < APPENDS; i += PARALLEL) {
          await Promise.all(
            revisions.map(async (expected, k) => {
              const result = await store.append(
                `bench-r${round}x${k}`,
                [payloadEvent(i + k)],
                expected,
              );
              revisions[k] = result.nextExpectedRevision;
            }),
          );
        }
        return APPENDS / ((performance.now() - started) / 1000);
      },
    });

    // The replay set: 200k one-event commits over 1,000 streams, in a store of their own.
    await jsm.streams.delete('FERRY_EVT').catch(() => undefined);
    await jsm.streams.add({ name: 'FERRY_EVT', subjects: ['ferry.evt.>'], allow_direct: true });
    for (let i = 0; i < REPLAY_EVENTS; i += 1000) {
      await Promise.all(
        Array.from({ length: 1000 }, (_, k) =>
          js.publish(`ferry.evt.replay.s${k}`, bytesOf(i + k)),
        ),
      );
    }
    const { state } = await jsm.streams.info('FERRY_EVT');
    const checkpoints = new KvCheckpointStore(nc);

    const replay = await compare({
      bench: 'store',
      metric: 'replay_rate',
      unit: 'events/s',
      goal: '>= 0.5',
      rounds: 3,
      raw: async () => {
        const started = performance.now();
        const consumer = await js.consumers.get('FERRY_EVT', {
          filter_subjects: 'ferry.evt.>',
          deliver_policy: DeliverPolicy.All,
        });
        const messages = await consumer.consume({ max_messages: 1024 });
        let count = 0;
        for await (const m of messages) {
          count += (m.json() as { events: unknown[] }).events.length;
          if (m.seq >= state.last_seq) break;
        }
        await messages.close();
        return count / ((performance.now() - started) / 1000);
      },
      ferry: async (round) => {
        let count = 0;
        const done = new AbortController();
        const started = performance.now();
        await runProjection(
          store,
          checkpoints,
          {
            name: `bench-${round}`,
            handle: (commit) => {
              count += commit.events.length;
              if (commit.position >= state.last_seq) done.abort();
            },
          },
          done.signal,
        );
        return count / ((performance.now() - started) / 1000);
      },
    });
    await nc.close();
    return [append, replay];
  } finally {
    await server.remove();
  }
}
