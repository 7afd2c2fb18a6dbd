import {
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { COMMAND_SUBJECTS, HEADERS, STREAMS, type FerryCommand } from '@ferry/contracts';
import { eventually, startNatsServer, type NatsServer } from '@ferry/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CommandConsumer,
  ensureCommandConsumer,
  type CommandHandler,
  type Rejection,
} from './command-consumer.ts';
import { connectNats, type NatsConnection } from './connection.ts';
import { publishCommand } from './publisher.ts';
import { provisionStreams } from './streams.ts';

let n = 0;
const convert = (jobId: string): FerryCommand => ({
  type: 'ConvertDisks',
  data: { jobId },
  metadata: { commandId: `cmd-${jobId}-${n++}` },
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = (check: () => boolean | Promise<boolean>, timeoutMs = 15_000) =>
  eventually(check, 'the consumer to settle', { timeoutMs });

describe('CommandConsumer on a real nats-server', () => {
  let server: NatsServer;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  let consumer: CommandConsumer | undefined;
  let durable = 0;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connectNats({ url: server.url, name: 'consumer-test' });
    js = jetstream(nc);
    jsm = await jetstreamManager(nc);
    await provisionStreams(jsm);
  });
  afterEach(async () => {
    await consumer?.stop();
    consumer = undefined;
  });
  afterAll(async () => {
    await nc.close();
    await server.remove();
  });

  /** A consumer of its own subject family, so the tests never see each other's commands. */
  async function startConsumer(
    handle: CommandHandler,
    options: { concurrency?: number; ackWaitMs?: number; maxDeliver?: number } = {},
  ) {
    const name = `svc${durable++}`;
    const rejections: Rejection[] = [];
    const settings = {
      durable: name,
      filterSubject: COMMAND_SUBJECTS.ConvertDisks,
      concurrency: options.concurrency ?? 4,
      ackWaitMs: options.ackWaitMs ?? 2_000,
    };
    // A work queue allows one consumer per subject: remove the previous test's.
    for await (const c of jsm.consumers.list(STREAMS.commands))
      await jsm.consumers.delete(STREAMS.commands, c.name);
    await ensureCommandConsumer(jsm, settings);
    consumer = new CommandConsumer({
      ...settings,
      nc,
      retry: { maxDeliver: options.maxDeliver ?? 3, backoffMs: [50] },
      handle,
      reject: async (r) => void rejections.push(r),
    });
    consumer.start();
    /** Another replica of the same service: its own connection, the same durable consumer. */
    const replica = async () => {
      const other = new CommandConsumer({
        ...settings,
        nc: await connectNats({ url: server.url, name: 'consumer-test-replica' }),
        retry: { maxDeliver: options.maxDeliver ?? 3, backoffMs: [50] },
        handle,
        reject: async (r) => void rejections.push(r),
      });
      other.start();
      return other;
    };
    return { rejections, replica };
  }
  const queueEmpty = async () => (await jsm.streams.info(STREAMS.commands)).state.messages === 0;

  it('hands the handler the validated command, and acks it once handled (the work queue empties)', async () => {
    const seen: string[] = [];
    await startConsumer(async (command, context) => {
      seen.push(
        `${command.type}:${command.metadata.commandId}:${context.deliveryCount}:${context.headers.commandId}`,
      );
    });
    const command = convert('j1');
    await publishCommand(js, command);
    await until(() => seen.length === 1);
    expect(seen).toEqual([
      `ConvertDisks:${command.metadata.commandId}:1:${command.metadata.commandId}`,
    ]);
    await until(queueEmpty);
  });

  it('answers an invalid command with a rejection naming the problem, and goes on', async () => {
    const handled: string[] = [];
    const { rejections } = await startConsumer(
      async (c) => void handled.push(c.metadata.commandId),
    );
    await js.publish(
      COMMAND_SUBJECTS.ConvertDisks,
      JSON.stringify({ type: 'ConvertDisks', data: {}, metadata: { commandId: 'bad-1' } }),
    );
    await js.publish(COMMAND_SUBJECTS.ConvertDisks, 'not json at all');
    const good = convert('j2');
    await publishCommand(js, good);
    await until(() => handled.length === 1 && rejections.length === 2);
    expect(handled).toEqual([good.metadata.commandId]);
    expect(rejections[0]).toMatchObject({
      subject: COMMAND_SUBJECTS.ConvertDisks,
      commandType: 'ConvertDisks',
      reason: 'invalid',
      errors: [{ path: '/data/jobId', message: 'is required' }],
    });
    expect(rejections[1]).toMatchObject({ commandType: null, reason: 'unparseable' });
    await until(queueEmpty);
  });

  it('rejects at once, without retrying, a command the domain refuses', async () => {
    let calls = 0;
    const { rejections } = await startConsumer(async () => {
      calls++;
      throw Object.assign(new Error('ConvertDisks is not allowed in state VERIFIED'), {
        code: 'ILLEGAL_STATE',
      });
    });
    await publishCommand(js, convert('j3'));
    await until(() => rejections.length === 1);
    expect(rejections[0]).toMatchObject({
      reason: 'illegal-state',
      errors: [{ path: '', message: 'ConvertDisks is not allowed in state VERIFIED' }],
    });
    await until(queueEmpty);
    expect(calls).toBe(1);
  });

  it('dead-letters a poison command after the allowed deliveries, with the reason, and goes on', async () => {
    const attempts: number[] = [];
    const handled: string[] = [];
    await startConsumer(
      async (command, context) => {
        if (command.type === 'ConvertDisks' && command.data.jobId === 'poison') {
          attempts.push(context.deliveryCount);
          throw new Error('this disk makes qemu-img crash');
        }
        handled.push(command.metadata.commandId);
      },
      { maxDeliver: 3 },
    );
    const poison = convert('poison');
    await publishCommand(js, poison);
    const good = convert('j4');
    await publishCommand(js, good);
    await until(async () => (await jsm.streams.info(STREAMS.deadLetters)).state.messages === 1);
    expect(attempts).toEqual([1, 2, 3]);
    expect(handled).toEqual([good.metadata.commandId]);
    const dead = await jsm.streams.getMessage(STREAMS.deadLetters, {
      last_by_subj: 'ferry.dlq.conversion.convert',
    });
    expect(dead?.header.get(HEADERS.deadLetterReason)).toBe(
      'failed 3 times; last: this disk makes qemu-img crash',
    );
    expect(dead?.header.get(HEADERS.deadLetterDeliveries)).toBe('3');
    expect(dead?.header.get(HEADERS.commandId)).toBe(poison.metadata.commandId);
    expect(dead?.json()).toEqual(poison);
    await until(queueEmpty);
  });

  it('never runs more handlers at once than max_ack_pending', async () => {
    let running = 0;
    let most = 0;
    let done = 0;
    await startConsumer(
      async () => {
        running++;
        most = Math.max(most, running);
        await sleep(200);
        running--;
        done++;
      },
      { concurrency: 2 },
    );
    for (let i = 0; i < 6; i++) await publishCommand(js, convert(`c${i}`));
    await until(() => done === 6);
    expect(most).toBe(2);
  });

  it("keeps a long handler's message from being redelivered (working), far past the ack wait", async () => {
    const deliveries: number[] = [];
    await startConsumer(
      async (_c, context) => {
        deliveries.push(context.deliveryCount);
        await sleep(3_000);
      },
      { ackWaitMs: 1_000 },
    );
    await publishCommand(js, convert('long'));
    await until(queueEmpty, 10_000);
    expect(deliveries).toEqual([1]);
  });

  it('re-creates its consumer when it is deleted under it, and goes on consuming', async () => {
    const handled: string[] = [];
    await startConsumer(async (c) => void handled.push(c.metadata.commandId));
    const before = convert('before');
    await publishCommand(js, before);
    await until(() => handled.length === 1);
    const [name] = await (async () => {
      const names: string[] = [];
      for await (const c of jsm.consumers.list(STREAMS.commands)) names.push(c.name);
      return names;
    })();
    await jsm.consumers.delete(STREAMS.commands, name as string);
    const after = convert('after');
    await publishCommand(js, after);
    await until(() => handled.length === 2, 20_000);
    expect(handled).toEqual([before.metadata.commandId, after.metadata.commandId]);
  });

  it('replicas add capacity: two of concurrency 1 run two commands at once', async () => {
    let running = 0;
    let most = 0;
    const handled: string[] = [];
    const { replica } = await startConsumer(
      async (command) => {
        most = Math.max(most, ++running);
        await sleep(600);
        running--;
        if ('jobId' in command.data) handled.push(command.data.jobId);
      },
      { concurrency: 1 },
    );
    const second = await replica();
    try {
      for (let i = 0; i < 4; i++) await publishCommand(js, convert(`capacity-${i}`));
      await until(() => handled.length === 4);
      // Two at once between them: each replica pulled one while it had room.
      expect(most).toBe(2);
      expect(
        (await jsm.consumers.info(STREAMS.commands, `svc${durable - 1}`)).config,
      ).toMatchObject({ max_ack_pending: 32 });
    } finally {
      await second.stop();
    }
  });

  it('stops gracefully: the command in hand finishes and is acked; nothing new is taken', async () => {
    let finished = false;
    let started = 0;
    const c = await startConsumer(
      async () => {
        started++;
        await sleep(500);
        finished = true;
      },
      { concurrency: 1 },
    );
    await publishCommand(js, convert('graceful-1'));
    await until(() => started === 1);
    const stopping = consumer?.stop();
    consumer = undefined;
    await publishCommand(js, convert('graceful-2'));
    await stopping;
    expect(finished).toBe(true);
    expect(started).toBe(1);
    expect(c.rejections).toEqual([]);
    const info = await jsm.streams.info(STREAMS.commands);
    expect(info.state.messages).toBe(1); // the second waits for the next consumer
  });
});
