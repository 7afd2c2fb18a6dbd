import { jetstream, jetstreamManager, type Consumer } from '@nats-io/jetstream';
import {
  COMMAND_SUBJECTS,
  migrationStream,
  rejectionStreamId,
  selectionStreamId,
  validateCommand,
  type EventOf,
  type EventType,
  type FerryCommand,
} from '@ferry/contracts';
import { JetStreamEventStore } from '@ferry/event-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCommandConsumer } from '../command-consumer.ts';
import { provisionStreams } from '../streams.ts';
import { startSecureNats, type SecureNats } from '../testing/secure-nats.ts';
import { migrate } from './migrate.ts';

describe("the README's example of another system, as the client identity on a secured NATS", () => {
  let nats: SecureNats;
  let commands: Consumer;
  let store: JetStreamEventStore;
  beforeAll(async () => {
    nats = await startSecureNats();
    await provisionStreams(await jetstreamManager(await nats.connectAs('admin')));
    // Ferry's side, played here: the jobs service's work queue and its appends.
    const jobs = await nats.connectAs('jobs');
    await ensureCommandConsumer(await jetstreamManager(jobs), {
      durable: 'jobs',
      filterSubject: 'ferry.cmd.migration.>',
      concurrency: 1,
    });
    commands = await jetstream(jobs).consumers.get('FERRY_CMD', 'jobs');
    store = new JetStreamEventStore(jobs);
  });
  afterAll(async () => nats?.close());

  const run = (vmKeys: string[], lines: string[]) =>
    migrate(
      vmKeys,
      { url: nats.server.url, nkeyFile: nats.files.seed('client'), caFile: nats.files.ca },
      (line) => lines.push(line),
    );

  /** The command the example sent, as the jobs service takes it: valid, its id the Nats-Msg-Id. */
  async function received(): Promise<string> {
    const m = await commands.next({ expires: 10_000 });
    m?.ack();
    const command = m?.json<FerryCommand>();
    expect(m?.subject).toBe(COMMAND_SUBJECTS.CreateMigrations);
    expect(validateCommand(command)).toMatchObject({ ok: true });
    expect(m?.headers?.get('Nats-Msg-Id')).toBe(command?.metadata.commandId);
    return command?.metadata.commandId ?? '';
  }

  const event = <T extends EventType>(type: T, data: EventOf<T>['data'], commandId: string) =>
    ({
      type,
      data,
      metadata: {
        commandId,
        correlationId: commandId,
        causationId: commandId,
        occurredAt: '2026-12-01T10:00:00Z',
      },
    }) as EventOf<T>;

  it("creates the jobs and follows each one's events to its end", async () => {
    const lines: string[] = [];
    const done = run(['ws-a', 'ws-busy'], lines);
    const commandId = await received();
    const jobId = 'job-a';
    await store.append(
      `selection-${await selectionStreamId(commandId)}`,
      [
        event(
          'MigrationSelectionProcessed',
          {
            jobs: [{ vmKey: 'ws-a', jobId }],
            skipped: [{ vmKey: 'ws-busy', reason: 'active-job', activeJobId: 'job-old' }],
          },
          commandId,
        ),
      ],
      'no-stream',
    );
    const flags = { realConversion: false, openstackDeployment: false, rollback: true };
    const created = event(
      'MigrationCreated',
      {
        jobId,
        vmKey: 'ws-a',
        vmName: 'a',
        source: { kind: 'workstation', id: '/vms' },
        options: {
          strategy: 'qemu-img',
          bootMode: 'image',
          flavor: null,
          networkMapping: {},
          keepMac: false,
        },
        flags,
      },
      commandId,
    );
    await store.append(migrationStream(jobId), [created], 'no-stream');
    // Appended while the example reads: it follows the job as it goes.
    await new Promise((r) => setTimeout(r, 200));
    const failed = event(
      'MigrationFailed',
      { jobId, stage: 'conversion', code: 'cancelled', message: 'cancelled', retryable: true },
      commandId,
    );
    const rolledBack = event(
      'RollbackCompleted',
      { jobId, outcome: 'complete', deleted: 0, alreadyAbsent: 0, kept: 0, failed: 0 },
      commandId,
    );
    await store.append(migrationStream(jobId), [failed, rolledBack], 0);
    await done;
    expect(lines).toEqual([
      'skipped ws-busy: active-job',
      'job-a MigrationCreated',
      'job-a MigrationFailed',
      'job-a RollbackCompleted',
    ]);
  });

  it('reports a rejection', async () => {
    const done = run(['ws-unknown'], []);
    const commandId = await received();
    await store.append(
      `rejection-${await rejectionStreamId(commandId)}`,
      [
        event(
          'CommandRejected',
          {
            subject: COMMAND_SUBJECTS.CreateMigrations,
            commandType: 'CreateMigrations',
            commandId,
            reason: 'invalid',
            errors: [{ path: '/data/vmKeys/0', message: 'no such VM' }],
          },
          commandId,
        ),
      ],
      'any',
    );
    await expect(done).rejects.toThrow(/rejected: .*no such VM/);
  });
});
