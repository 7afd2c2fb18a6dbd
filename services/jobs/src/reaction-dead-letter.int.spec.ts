import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { EVENT_SUBJECT_PREFIX, HEADERS, STREAMS } from '@ferry/contracts';
import { JetStreamEventStore } from '@ferry/event-store';
import {
  listDeadLetters,
  PROCESS_MANAGER_DURABLE,
  provisionStreams,
  type NatsConnection,
} from '@ferry/messaging';
import { discoveredJob, natsWithStreams } from '@ferry/stages/testing';
import { eventually } from '@ferry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessManager } from './process-manager.ts';

describe("the process manager, when a job's reactions keep failing", () => {
  let nats: Awaited<ReturnType<typeof natsWithStreams>>;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let store: JetStreamEventStore;
  let pm: ProcessManager;

  beforeAll(async () => {
    nats = await natsWithStreams();
    nc = await nats.connect();
    jsm = await jetstreamManager(nc);
    store = new JetStreamEventStore(nc);
    // Two failures allowed, and NATS's outages counted at once (as after OUTAGE_WAIT_SECONDS).
    pm = new ProcessManager({ nc, store, retry: { maxDeliver: 2, backoffMs: [100], outageMs: 0 } });
    await pm.start();
  }, 60_000);
  afterAll(async () => {
    await pm?.stop();
    await nats?.close();
  });

  it('sets each of its events aside in FERRY_DLQ, with why, and goes on with the next job once it can', async () => {
    // A job before, whose commands go out: the store holds more than the stuck job's commits.
    await discoveredJob(store, 'job-before');
    const commandsSent = () => jsm.streams.info(STREAMS.commands).then((i) => i.state.messages);
    await eventually(async () => (await commandsSent()) === 2, "the first job's commands sent", {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    // Nowhere to send a job's next command: its reactions fail, each time.
    await jsm.streams.delete(STREAMS.commands);
    await discoveredJob(store, 'job-stuck');
    const letters = await eventually(
      async () => {
        const { letters: all } = await listDeadLetters(jsm, 10);
        return all.length === 2 ? all : undefined;
      },
      "the job's two commits dead-lettered",
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    const subject = `${EVENT_SUBJECT_PREFIX}.migration.job-stuck`;
    expect(letters.map((l) => [l.subject, l.type, l.jobId, l.deliveries])).toEqual([
      [subject, 'MigrationCreated', 'job-stuck', 2],
      [subject, 'MigrationValidated', 'job-stuck', 2],
    ]);
    for (const letter of letters) expect(letter.reason).toMatch(/^reacting failed 2 times; last: /);
    // Set aside, not dropped nor kept: the consumer has nothing of them outstanding.
    const held = await jsm.streams.getMessage(STREAMS.deadLetters, { seq: letters[0]?.seq ?? 0 });
    expect(held?.header.get(HEADERS.deadLetterSubject)).toBe(subject);
    const consumer = await jsm.consumers.info(STREAMS.events, PROCESS_MANAGER_DURABLE);
    expect([consumer.num_ack_pending, consumer.num_pending]).toEqual([0, 0]);

    // The commands' stream back: the next job's reaction is sent.
    await provisionStreams(jsm);
    await discoveredJob(store, 'job-next');
    await eventually(async () => (await commandsSent()) > 0, "the next job's command sent", {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
  });
});
