import { jetstreamManager } from '@nats-io/jetstream';
import { COMMAND_SUBJECTS, EVENT_SUBJECT_PREFIX, STREAMS } from '@ferry/contracts';
import { JetStreamEventStore } from '@ferry/event-store';
import type { NatsConnection } from '@ferry/messaging';
import { deadLetterCommand, deadLetterMessage } from '@ferry/messaging/testing';
import { discoveredJob, natsWithStreams } from '@ferry/stages/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferry } from './testing/run-ferry.ts';
import { parse } from 'yaml';

describe('ferry dead-letters', () => {
  let nats: Awaited<ReturnType<typeof natsWithStreams>>;
  let nc: NatsConnection;
  let env: Record<string, string>;
  let seq: number;

  beforeAll(async () => {
    nats = await natsWithStreams();
    nc = await nats.connect();
    env = { NATS_URL: nats.server.url };
    seq = await deadLetterCommand(
      nc,
      {
        type: 'ConvertDisks',
        data: { jobId: 'job-dl' },
        metadata: { commandId: 'convert-job-dl' },
      },
      'failed 5 times; last: qemu-img: disk.vmdk: unreadable',
    );
  }, 60_000);
  afterAll(async () => {
    await nc?.close();
    await nats?.close();
  });

  it('lists each: when, which command and job, after how many deliveries, and why', async () => {
    const { code, stdout } = await ferry(['dead-letters'], env);
    expect(code).toBe(0);
    const [header, row, ...rest] = stdout.trimEnd().split('\n');
    expect(header?.split(/\s{2,}/)).toEqual([
      'SEQ',
      'AT',
      'COMMAND',
      'JOB',
      'DELIVERIES',
      'REASON',
    ]);
    expect(row?.split(/\s{2,}/)).toEqual([
      String(seq),
      expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      'ConvertDisks',
      'job-dl',
      '1',
      'failed 5 times; last: qemu-img: disk.vmdk: unreadable',
    ]);
    expect(rest).toEqual([]);
  });

  it('as JSON', async () => {
    const { code, stdout } = await ferry(['dead-letters', '--json'], env);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      deadLetters: [
        {
          seq,
          at: expect.stringMatching(/Z$/),
          subject: COMMAND_SUBJECTS.ConvertDisks,
          type: 'ConvertDisks',
          jobId: 'job-dl',
          commandId: 'convert-job-dl',
          deliveries: 1,
          reason: 'failed 5 times; last: qemu-img: disk.vmdk: unreadable',
        },
      ],
    });
  });

  it('as YAML', async () => {
    const { code, stdout } = await ferry(['dead-letters', '-f', 'yaml'], env);
    expect(code).toBe(0);
    expect(parse(stdout)).toMatchObject({
      deadLetters: [{ seq, type: 'ConvertDisks', jobId: 'job-dl', deliveries: 1 }],
    });
  });

  it('refuses a bad sequence number (2) and names one that holds no dead letter (1)', async () => {
    const bad = await ferry(['dead-letters', 'replay', 'x1'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a sequence number: x1/);
    const none = await ferry(['dead-letters', 'replay', '999999'], env);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no dead letter 999999/);
  });

  it('replays one: sent again where it was sent, the same command, and gone from the list', async () => {
    const jsm = await jetstreamManager(nc);
    const { code, stdout } = await ferry(['dead-letters', 'replay', String(seq), '--json'], env);
    expect(code).toBe(0);
    const replayed = JSON.parse(stdout) as { replayedAs: number };
    const again = await jsm.streams.getMessage(STREAMS.commands, { seq: replayed.replayedAs });
    expect(again?.subject).toBe(COMMAND_SUBJECTS.ConvertDisks);
    expect(again?.json()).toMatchObject({
      type: 'ConvertDisks',
      data: { jobId: 'job-dl' },
      metadata: { commandId: 'convert-job-dl' },
    });
    const { stdout: after } = await ferry(['dead-letters'], env);
    expect(after).toBe('no dead letters\n');
  });

  it("refuses to send an event again (1): it is in the store already, and the job's history would hold it twice", async () => {
    // An event the process manager could not react to, set aside as it does.
    const store = new JetStreamEventStore(nc);
    await discoveredJob(store, 'job-ev');
    const subject = `${EVENT_SUBJECT_PREFIX}.migration.job-ev`;
    const stored = await (
      await jetstreamManager(nc)
    ).streams.getMessage(STREAMS.events, {
      last_by_subj: subject,
    });
    const eventSeq = await deadLetterMessage(
      nc,
      STREAMS.events,
      subject,
      stored?.seq ?? 0,
      'reacting failed 10 times; last: no responders',
    );
    const listed = await ferry(['dead-letters', '--json'], env);
    expect(JSON.parse(listed.stdout)).toMatchObject({
      deadLetters: [
        {
          seq: eventSeq,
          subject,
          type: 'MigrationValidated',
          jobId: 'job-ev',
          commandId: 'validate-job-ev',
        },
      ],
    });
    const before = (await store.read('migration-job-ev')).events.length;
    const { code, stdout, stderr } = await ferry(['dead-letters', 'replay', String(eventSeq)], env);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      new RegExp(
        `dead letter ${eventSeq} is an event of the store \\(${subject.replaceAll('.', '\\.')}\\).*stored already.*job job-ev did not go on from it`,
      ),
    );
    // Nothing stored twice, and the dead letter still listed.
    expect((await new JetStreamEventStore(nc).read('migration-job-ev')).events).toHaveLength(
      before,
    );
    const after = await ferry(['dead-letters', '--json'], env);
    expect(JSON.parse(after.stdout)).toMatchObject({ deadLetters: [{ seq: eventSeq }] });
  });

  it('cannot reach NATS: exit 3', async () => {
    const { code, stderr } = await ferry(['dead-letters'], { NATS_URL: 'nats://127.0.0.1:1' });
    expect(code).toBe(3);
    expect(stderr).toMatch(/cannot reach NATS/);
  });
});

describe('ferry dead-letters, before any was set aside', () => {
  let nats: Awaited<ReturnType<typeof natsWithStreams>>;
  beforeAll(async () => {
    nats = await natsWithStreams();
  }, 60_000);
  afterAll(async () => nats?.close());

  it('says there are none (0), as text and as JSON', async () => {
    const env = { NATS_URL: nats.server.url };
    const text = await ferry(['dead-letters'], env);
    expect([text.code, text.stdout, text.stderr]).toEqual([0, 'no dead letters\n', '']);
    const json = await ferry(['dead-letters', '--json'], env);
    expect([json.code, JSON.parse(json.stdout)]).toEqual([0, { deadLetters: [] }]);
  });
});
