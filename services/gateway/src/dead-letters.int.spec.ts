// Dead letters through the gateway as the console's admin page uses them: on a nats-server with
// Ferry's authorization, the gateway connected as its own identity, callers signed in at a real
// OpenID provider.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_SUBJECTS, EVENT_SUBJECT_PREFIX, STREAMS } from '@ferry/contracts';
import { JetStreamEventStore } from '@ferry/event-store';
import { provisionStreams } from '@ferry/messaging';
import {
  deadLetterCommand,
  deadLetterMessage,
  startSecureNats,
  type SecureNats,
} from '@ferry/messaging/testing';
import { discoveredJob } from '@ferry/stages/testing';
import { eventually } from '@ferry/testing';
import { graphql, startGatewayWithSignIn } from './testing/gateway-client.ts';
import { startIdentityProvider, type IdentityProvider } from './testing/identity-provider.ts';

const LIST = `{ deadLetters { totalCount letters {
  seq at subject type jobId commandId deliveries reason } } }`;
const REPLAY = `mutation ($seqs: [Int!]!) {
  replayDeadLetters(seqs: $seqs) { seq replayed subject reason } }`;
const REASON = 'failed 5 times; last: qemu-img: disk.vmdk: unreadable';

describe('dead letters at the gateway, connected to NATS as its own identity', () => {
  let idp: IdentityProvider;
  let nats: SecureNats;
  let admin: JetStreamManager;
  let gateway: Awaited<ReturnType<typeof startGatewayWithSignIn>>;
  let seq: number;
  let adminNc: Awaited<ReturnType<SecureNats['connectAs']>>;
  const as = async (caller: 'viewer' | 'operator' | 'admin', query: string, variables = {}) =>
    (
      await graphql(gateway, query, variables, {
        authorization: `Bearer ${await idp.token(caller)}`,
      })
    ).body;

  beforeAll(async () => {
    idp = await startIdentityProvider();
    nats = await startSecureNats();
    const nc = await nats.connectAs('admin');
    adminNc = nc;
    admin = await jetstreamManager(nc);
    await provisionStreams(admin);
    seq = await deadLetterCommand(
      nc,
      {
        type: 'ConvertDisks',
        data: { jobId: 'job-dl' },
        metadata: { commandId: 'convert-job-dl' },
      },
      REASON,
    );
    gateway = await startGatewayWithSignIn(
      {
        NATS_URL: nats.server.url,
        NATS_NKEY: nats.files.seed('gateway'),
        NATS_CA: nats.files.ca,
      },
      idp.issuer,
    );
  }, 120_000);
  afterAll(async () => {
    await gateway?.stop();
    await idp?.close();
    await nats?.close();
  });

  it('lists them to an admin: how many, and each with its command, job, deliveries and why', async () => {
    expect(await as('admin', LIST)).toEqual({
      data: {
        deadLetters: {
          totalCount: 1,
          letters: [
            {
              seq,
              at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
              subject: COMMAND_SUBJECTS.ConvertDisks,
              type: 'ConvertDisks',
              jobId: 'job-dl',
              commandId: 'convert-job-dl',
              deliveries: 1,
              reason: REASON,
            },
          ],
        },
      },
    });
    const tooMany = await as('admin', '{ deadLetters(last: 10001) { totalCount } }');
    expect(tooMany.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses an operator and a viewer, the list and the replay alike', async () => {
    for (const caller of ['operator', 'viewer'] as const) {
      expect((await as(caller, LIST)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const replay = await as(caller, REPLAY, { seqs: [seq] });
      expect(replay.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect((await admin.streams.info(STREAMS.deadLetters)).state.messages).toBe(1);
  });

  it('replays one for an admin: sent on its subject again, gone from FERRY_DLQ; an unknown one says so', async () => {
    const commandsBefore = (await admin.streams.info(STREAMS.commands)).state.last_seq;
    expect(await as('admin', REPLAY, { seqs: [seq, 999_999] })).toEqual({
      data: {
        replayDeadLetters: [
          { seq, replayed: true, subject: COMMAND_SUBJECTS.ConvertDisks, reason: null },
          { seq: 999_999, replayed: false, subject: null, reason: 'no such dead letter' },
        ],
      },
    });
    const again = await admin.streams.getMessage(STREAMS.commands, { seq: commandsBefore + 1 });
    expect(again?.subject).toBe(COMMAND_SUBJECTS.ConvertDisks);
    expect(again?.json()).toMatchObject({ type: 'ConvertDisks', data: { jobId: 'job-dl' } });
    expect((await admin.streams.info(STREAMS.deadLetters)).state.messages).toBe(0);
    expect((await as('admin', LIST)).data.deadLetters).toEqual({ totalCount: 0, letters: [] });
    // Who asked is logged: the command sent again still names its first sender.
    const logged = () =>
      readFileSync(join(gateway.logDir, 'app.log'), 'utf8')
        .split('\n')
        .filter((l) => l.includes('dead letter replay asked for'))
        .map((l) => JSON.parse(l) as { actor: { kind: string }; seq: number; replayed: boolean })
        .map((l) => [l.actor.kind, l.seq, l.replayed]);
    // The log is written as it goes, not before the answer: waited for.
    await eventually(() => logged().length === 2, 'the replays logged');
    expect(logged()).toEqual([
      ['person', seq, true],
      ['person', 999_999, false],
    ]);
  });

  it('refuses to send an event again (the store holds it already), saying what to do; it stays listed', async () => {
    const store = new JetStreamEventStore(adminNc);
    await discoveredJob(store, 'job-ev');
    const subject = `${EVENT_SUBJECT_PREFIX}.migration.job-ev`;
    const last = await admin.streams.getMessage(STREAMS.events, { last_by_subj: subject });
    const eventSeq = await deadLetterMessage(
      adminNc,
      STREAMS.events,
      subject,
      last?.seq ?? 0,
      REASON,
    );
    const [outcome] = (await as('admin', REPLAY, { seqs: [eventSeq] })).data.replayDeadLetters;
    expect(outcome).toMatchObject({ seq: eventSeq, replayed: false, subject: null });
    expect(outcome.reason).toMatch(
      /is an event of the store .*stored already.*job job-ev did not go on from it.*cancel, retry or roll it back/,
    );
    expect(
      (await admin.streams.info(STREAMS.events, { subjects_filter: subject })).state.subjects,
    ).toEqual({
      [subject]: 2,
    });
    expect((await as('admin', LIST)).data.deadLetters.letters).toMatchObject([
      { seq: eventSeq, subject, type: 'MigrationValidated', jobId: 'job-ev' },
    ]);
  });
});
