import { handleCommand, JetStreamEventStore, type EventStore } from '@ferry/event-store';
import 'reflect-metadata';
import { Controller, Inject, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, Payload, type MicroserviceOptions } from '@nestjs/microservices';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import {
  COMMAND_SUBJECTS,
  rejectionStreamId,
  STREAMS,
  type CommandOf,
  type EventOf,
  migrationStream,
} from '@ferry/contracts';
import { migrationDecider } from '@ferry/domain';
import { publishCommand, type NatsConnection } from '@ferry/messaging';
import { JetStreamTransport, PassThroughRpcFilter } from '@ferry/messaging/nest';
import { eventually } from '@ferry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejectionRecorder } from '../rejections.ts';
import { createMigration } from '../testing/migration-commands.ts';
import { natsWithStreams } from '../testing/nats-fixture.ts';

const STORE = Symbol('event store');

/** A thin handler, as every service's is: the command in, the decider asked, the events appended. */
@Controller()
class CancelController {
  private readonly store: EventStore;
  constructor(@Inject(STORE) store: EventStore) {
    this.store = store;
  }

  @EventPattern(COMMAND_SUBJECTS.CancelMigration)
  async cancel(@Payload() command: CommandOf<'CancelMigration'>): Promise<void> {
    const { jobId, reason } = command.data;
    const { commandId, correlationId } = command.metadata;
    await handleCommand(this.store, migrationDecider, migrationStream(jobId), {
      type: 'CancelMigration',
      data: { reason: reason ?? 'no reason given', requestedBy: 'api' },
      metadata: {
        commandId,
        correlationId: correlationId ?? commandId,
        now: '2026-11-25T10:00:00Z',
      },
    });
  }
}

describe('the JetStream transport in a NestJS microservice', () => {
  let nats: Awaited<ReturnType<typeof natsWithStreams>>;
  let store: JetStreamEventStore;
  let nc: NatsConnection;
  let app: Awaited<ReturnType<typeof NestFactory.createMicroservice>>;

  beforeAll(async () => {
    nats = await natsWithStreams();
    nc = await nats.connect();
    store = new JetStreamEventStore(nc);
    @Module({ controllers: [CancelController], providers: [{ provide: STORE, useValue: store }] })
    class JobsModule {}
    app = await NestFactory.createMicroservice<MicroserviceOptions>(JobsModule, {
      strategy: new JetStreamTransport({
        connection: nc,
        consumer: {
          durable: 'jobs',
          filterSubject: 'ferry.cmd.migration.>',
          concurrency: 4,
          ackWaitMs: 2_000,
          retry: { maxDeliver: 3, backoffMs: [50] },
        },
        reject: rejectionRecorder(store),
      }),
      logger: false,
    });
    app.useGlobalFilters(new PassThroughRpcFilter());
    await app.listen();
  });
  afterAll(async () => {
    await app.close();
    await nats.close();
  });

  const publish = async (command: Parameters<typeof publishCommand>[1]) =>
    publishCommand(jetstream(await nats.connect()), command);
  const rejectionOf = async (commandId: string) => {
    const stream = `rejection-${await rejectionStreamId(commandId)}`;
    const read = () => store.read<EventOf<'CommandRejected'>>(stream);
    return (await eventually(async () => (await read()).events[0], `a rejection of ${commandId}`))
      .data;
  };

  it('routes a command to its @EventPattern handler, which appends through the decider', async () => {
    await handleCommand(store, migrationDecider, 'migration-j1', createMigration('j1'));
    await publish({
      type: 'CancelMigration',
      data: { jobId: 'j1', reason: 'wrong VM' },
      metadata: { commandId: 'cancel-j1' },
    });
    await eventually(
      async () => (await store.read('migration-j1')).events.length === 3,
      'the cancel to be handled',
    );
    const { events } = await store.read('migration-j1');
    expect(events.map((e) => e.type)).toEqual([
      'MigrationCreated',
      'CancelRequested',
      'MigrationFailed',
    ]);
    expect(events[2]?.data).toMatchObject({
      code: 'cancelled',
      message: 'cancelled by api: wrong VM',
    });
  });

  it('answers a command the domain refuses with a CommandRejected event its sender can find', async () => {
    await publish({
      type: 'CancelMigration',
      data: { jobId: 'no-such-job' },
      metadata: { commandId: 'cancel-ghost' },
    });
    expect(await rejectionOf('cancel-ghost')).toEqual({
      subject: COMMAND_SUBJECTS.CancelMigration,
      commandType: 'CancelMigration',
      commandId: 'cancel-ghost',
      reason: 'illegal-state',
      errors: [
        {
          path: '',
          message: 'CancelMigration is not allowed in state Empty: there is no such job',
        },
      ],
    });
  });

  it('answers an invalid command with a CommandRejected event naming the field, and keeps consuming', async () => {
    const js = jetstream(await nats.connect());
    await js.publish(
      COMMAND_SUBJECTS.CancelMigration,
      JSON.stringify({
        type: 'CancelMigration',
        data: { jobId: 'j 2' },
        metadata: { commandId: 'cancel-bad' },
      }),
    );
    const rejected = await rejectionOf('cancel-bad');
    expect(rejected).toMatchObject({
      reason: 'invalid',
      commandId: 'cancel-bad',
      commandType: 'CancelMigration',
    });
    expect(rejected.errors[0]?.path).toBe('/data/jobId');
    const jsm = await jetstreamManager(await nats.connect());
    expect((await jsm.streams.info(STREAMS.commands)).state.messages).toBe(0);
  });

  it('refuses a command with no handler in this service as unknown, rather than dropping it', async () => {
    await publish({
      type: 'RetryMigration',
      data: { jobId: 'j1' },
      metadata: { commandId: 'retry-unhandled' },
    });
    expect(await rejectionOf('retry-unhandled')).toMatchObject({
      reason: 'unknown-type',
      errors: [{ message: 'no handler for ferry.cmd.migration.retry in this service' }],
    });
  });
});
