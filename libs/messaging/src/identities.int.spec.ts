import { AckPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_SUBJECTS, HEADERS, STREAMS, uploadSubject } from '@ferry/contracts';
import type { NatsConnection } from './connection.ts';
import { headers } from '@nats-io/transport-node';
import { ensureCommandConsumer } from './command-consumer.ts';
import { listDeadLetters, replayDeadLetter } from './dead-letters.ts';
import {
  IDENTITIES,
  imageDurable,
  inboxPrefix,
  PROCESS_MANAGER_DURABLE,
  WORKERS,
  type Identity,
} from './identities.ts';
import { provisionStreams } from './streams.ts';
import { startSecureNats, type SecureNats } from './testing/secure-nats.ts';

describe('NATS identities, on a server with the deployed authorization and TLS', () => {
  let nats: SecureNats;
  let admin: JetStreamManager;
  const as = new Map<Identity, NatsConnection>();
  beforeAll(async () => {
    nats = await startSecureNats();
    for (const identity of IDENTITIES) as.set(identity, await nats.connectAs(identity));
    admin = await jetstreamManager(as.get('admin') as NatsConnection);
    await provisionStreams(admin);
  });
  afterAll(async () => nats?.close());

  const messages = async (stream: string) => (await admin.streams.info(stream)).state.messages;
  const refused = async (act: () => Promise<unknown>) => {
    try {
      await act();
    } catch (error) {
      return String(error);
    }
    return 'allowed';
  };
  const js = (identity: Identity) =>
    jetstream(as.get(identity) as NatsConnection, { timeout: 2000 });

  it('the connection is TLS, as each identity', async () => {
    for (const identity of IDENTITIES) expect(as.get(identity)?.info?.tls_required).toBe(true);
  });

  it('only the service that owns a category appends to it; no other system appends at all', async () => {
    const before = await messages(STREAMS.events);
    for (const identity of ['client', 'gateway', 'discovery'] as const)
      expect(await refused(() => js(identity).publish('ferry.evt.migration.job-1', '{}'))).toMatch(
        /permission/i,
      );
    for (const identity of ['client', 'gateway', ...WORKERS.filter((s) => s !== 'discovery')])
      expect(
        await refused(() => js(identity as Identity).publish('ferry.evt.inventory.x', '{}')),
      ).toMatch(/permission/i);
    expect(await messages(STREAMS.events)).toBe(before);
    expect(await refused(() => js('conversion').publish('ferry.evt.migration.job-1', '{}'))).toBe(
      'allowed',
    );
    expect(await refused(() => js('discovery').publish('ferry.evt.inventory.x', '{}'))).toBe(
      'allowed',
    );
    expect(await messages(STREAMS.events)).toBe(before + 2);
  });

  it('no identity but admin deletes, purges or changes a stream', async () => {
    const config = (await admin.streams.info(STREAMS.events)).config;
    for (const identity of IDENTITIES.filter((i) => i !== 'admin')) {
      const jsm = await jetstreamManager(as.get(identity) as NatsConnection);
      for (const act of [
        () => jsm.streams.delete(STREAMS.events),
        () => jsm.streams.purge(STREAMS.events),
        () => jsm.streams.update(STREAMS.events, { ...config, max_msgs: 1 }),
        () => jsm.streams.add({ name: 'OTHER', subjects: ['other.>'] }),
      ])
        expect(await refused(act)).toMatch(/permission|timeout/i);
    }
    expect((await admin.streams.info(STREAMS.events)).config).toEqual(config);
    expect(await refused(() => admin.streams.names().next())).toBe('allowed');
  });

  it("a stage command is sent by the process manager (and the gateway's replay) alone; other systems send only the public ones", async () => {
    const before = await messages(STREAMS.commands);
    const send = (identity: Identity, subject: string) =>
      refused(() => js(identity).publish(subject, '{}', { msgID: `${identity}-${subject}` }));
    for (const identity of IDENTITIES.filter((i) => !['admin', 'jobs', 'gateway'].includes(i))) {
      expect(await send(identity, COMMAND_SUBJECTS.RollBackMigration)).toMatch(/permission/i);
      expect(await send(identity, COMMAND_SUBJECTS.DeployServer)).toMatch(/permission/i);
    }
    expect(await send('client', COMMAND_SUBJECTS.RerunRollback)).toMatch(/permission/i);
    expect(await messages(STREAMS.commands)).toBe(before);
    expect(await send('client', COMMAND_SUBJECTS.CreateMigrations)).toBe('allowed');
    expect(await send('gateway', COMMAND_SUBJECTS.CancelMigration)).toBe('allowed');
    expect(await send('jobs', COMMAND_SUBJECTS.RollBackMigration)).toBe('allowed');
    expect(await messages(STREAMS.commands)).toBe(before + 3);
  });

  it('the gateway reads dead letters and replays one (for an admin); no other service reads or removes them', async () => {
    const h = headers();
    h.set(HEADERS.deadLetterSubject, uploadSubject('conv-b'));
    h.set(HEADERS.deadLetterReason, 'failed 5 times');
    await js('image').publish('ferry.dlq.image.upload.conv-b', '{"type":"UploadImage"}', {
      headers: h,
    });
    const seq = (await admin.streams.info(STREAMS.deadLetters)).state.last_seq;
    for (const identity of ['client', 'jobs', 'image'] as const) {
      const jsm = await jetstreamManager(as.get(identity) as NatsConnection);
      expect(await refused(() => listDeadLetters(jsm, 10))).toMatch(/permission/i);
      expect(
        await refused(() => jsm.streams.deleteMessage(STREAMS.deadLetters, seq, false)),
      ).toMatch(/permission/i);
    }
    const gateway = await jetstreamManager(as.get('gateway') as NatsConnection);
    const { letters } = await listDeadLetters(gateway, 10);
    expect(letters.map((l) => [l.seq, l.subject, l.type])).toEqual([
      [seq, uploadSubject('conv-b'), 'UploadImage'],
    ]);
    const replayed = await replayDeadLetter(js('gateway'), gateway, seq);
    if (!replayed) throw new Error('the dead letter was not found');
    const again = await admin.streams.getMessage(STREAMS.commands, { seq: replayed.replayedAs });
    expect(again?.subject).toBe(uploadSubject('conv-b'));
    expect(await messages(STREAMS.deadLetters)).toBe(0);
  });

  it("no identity pulls from another's durable consumer; each pulls its own and reads the store", async () => {
    await ensureCommandConsumer(await jetstreamManager(as.get('jobs') as NatsConnection), {
      durable: 'jobs',
      filterSubject: 'ferry.cmd.migration.>',
      concurrency: 1,
    });
    await ensureCommandConsumer(await jetstreamManager(as.get('conversion') as NatsConnection), {
      durable: 'conversion',
      filterSubject: 'ferry.cmd.conversion.>',
      concurrency: 1,
    });
    await admin.consumers.add(STREAMS.events, {
      durable_name: PROCESS_MANAGER_DURABLE,
      ack_policy: AckPolicy.Explicit,
    });
    const pull = (identity: Identity, stream: string, durable: string) =>
      refused(async () => {
        const consumer = await js(identity).consumers.get(stream, durable);
        await consumer.next({ expires: 1000 });
      });
    for (const identity of IDENTITIES.filter((i) => i !== 'admin' && i !== 'jobs')) {
      expect(await pull(identity, STREAMS.commands, 'jobs')).toMatch(/permission/i);
      expect(await pull(identity, STREAMS.events, PROCESS_MANAGER_DURABLE)).toMatch(/permission/i);
    }
    expect(await pull('jobs', STREAMS.commands, 'conversion')).toMatch(/permission/i);
    expect(await pull('jobs', STREAMS.commands, 'jobs')).toBe('allowed');
    expect(await pull('jobs', STREAMS.events, PROCESS_MANAGER_DURABLE)).toBe('allowed');
    expect(await pull('conversion', STREAMS.commands, 'conversion')).toBe('allowed');
    const consumers = async () => (await admin.consumers.list(STREAMS.events).next()).length;
    const durables = await consumers();
    expect(
      await refused(() =>
        jetstreamManager(as.get('client') as NatsConnection).then((jsm) =>
          jsm.consumers.delete(STREAMS.events, PROCESS_MANAGER_DURABLE),
        ),
      ),
    ).toMatch(/permission/i);
    expect(await consumers()).toBe(durables);
    // Reading: the last commit of a stream directly, and a category through an ordered consumer.
    for (const identity of IDENTITIES) {
      const jsm = await jetstreamManager(as.get(identity) as NatsConnection);
      const last = await jsm.direct.getMessage(STREAMS.events, {
        last_by_subj: 'ferry.evt.migration.job-1',
      });
      expect(last?.subject).toBe('ferry.evt.migration.job-1');
      const ordered = await js(identity).consumers.get(STREAMS.events, {
        filter_subjects: 'ferry.evt.inventory.*',
      });
      expect((await ordered.next({ expires: 2000 }))?.subject).toBe('ferry.evt.inventory.x');
    }
  });

  it("the image service pulls the uploads of any conversion host, and no other service's commands", async () => {
    const image = await jetstreamManager(as.get('image') as NatsConnection);
    // Its consumer of all its commands, from before uploads were routed, gives way to the host's.
    await admin.consumers.add(STREAMS.commands, {
      durable_name: 'image',
      filter_subject: 'ferry.cmd.image.>',
      ack_policy: AckPolicy.Explicit,
    });
    await ensureCommandConsumer(image, {
      durable: imageDurable('conv-a'),
      filterSubject: uploadSubject('conv-a'),
      concurrency: 1,
      replaces: 'image',
    });
    const names = (await admin.consumers.list(STREAMS.commands).next()).map((c) => c.name);
    expect(names).toContain('image-conv-a');
    expect(names).not.toContain('image');
    const sent = await refused(() =>
      js('jobs').publish(uploadSubject('conv-a'), '{}', { msgID: 'upload-conv-a' }),
    );
    expect(sent).toBe('allowed');
    const upload = await js('image').consumers.get(STREAMS.commands, imageDurable('conv-a'));
    const m = await upload.next({ expires: 2000 });
    expect(m?.subject).toBe('ferry.cmd.image.upload.conv-a');
    m?.ack();
    // A consumer of another service's commands it can neither make nor pull.
    expect(
      await refused(() =>
        ensureCommandConsumer(image, {
          durable: 'image-x',
          filterSubject: COMMAND_SUBJECTS.DeployServer,
          concurrency: 1,
        }),
      ),
    ).toMatch(/permission/i);
    await ensureCommandConsumer(await jetstreamManager(as.get('compute') as NatsConnection), {
      durable: 'compute',
      filterSubject: 'ferry.cmd.compute.>',
      concurrency: 1,
    });
    const pulled = await refused(async () => {
      const consumer = await js('image').consumers.get(STREAMS.commands, 'compute');
      await consumer.next({ expires: 1000 });
    });
    expect(pulled).toMatch(/permission/i);
  });

  it("only stage services follow jobs' commits as they are stored; nobody reads another's inbox", async () => {
    const subscribe = async (identity: Identity, subject: string) => {
      const nc = as.get(identity) as NatsConnection;
      const sub = nc.subscribe(subject);
      // A refused subscription is closed with the server's error.
      const closed = sub.closed.then((error) => String(error ?? 'closed'));
      await nc.flush();
      const outcome = await Promise.race([
        closed,
        new Promise((r) => setTimeout(() => r('allowed'), 500)),
      ]);
      sub.unsubscribe();
      return outcome;
    };
    expect(await subscribe('conversion', 'ferry.evt.migration.job-1')).toBe('allowed');
    expect(await subscribe('client', 'ferry.evt.migration.job-1')).toMatch(/permission/i);
    expect(await subscribe('client', `${inboxPrefix('jobs')}.>`)).toMatch(/permission/i);
    expect(await subscribe('gateway', 'ferry.cmd.>')).toMatch(/permission/i);
  });
});
