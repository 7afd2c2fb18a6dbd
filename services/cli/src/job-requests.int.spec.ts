import { COMMAND_SUBJECTS, decisionId, migrationStream, type CommandOf } from '@ferry/contracts';
import { IllegalStateError, migrationDecider, type MigrationCommand } from '@ferry/domain';
import { handleCommand, type JetStreamEventStore } from '@ferry/event-store';
import { rejectionRecorder } from '@ferry/stages';
import {
  commandContext,
  createMigration,
  discoveredJob,
  failedJob,
  testVm,
} from '@ferry/stages/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ferry } from './testing/run-ferry.ts';
import { commandBench, type CommandBench } from './testing/command-bench.ts';

type Request =
  CommandOf<'CancelMigration'> | CommandOf<'RerunRollback'> | CommandOf<'RetryMigration'>;

/**
 * Plays the jobs service for `count` requests of `type`: each decided on its job as `decision`
 * makes it, or its refusal recorded where the CLI looks for it.
 */
async function jobsSide<C extends Request>(
  bench: CommandBench,
  type: C['type'],
  count: number,
  decision: (command: C) => MigrationCommand,
): Promise<C[]> {
  const sent: C[] = [];
  while (sent.length < count) {
    const m = await bench.commands.next({ expires: 10_000 });
    if (!m) throw new Error(`only ${sent.length} ${type} sent`);
    m.ack();
    const command = m.json<C>();
    sent.push(command);
    const { commandId } = command.metadata;
    try {
      await handleCommand(
        bench.store,
        migrationDecider,
        migrationStream(command.data.jobId),
        decision(command),
      );
    } catch (error) {
      if (!(error instanceof IllegalStateError)) throw error;
      await rejectionRecorder(bench.store)({
        subject: COMMAND_SUBJECTS[type],
        commandType: type,
        commandId,
        reason: 'illegal-state',
        errors: [{ path: '', message: error.message }],
      });
    }
  }
  return sent;
}

describe('ferry rollback', () => {
  let bench: CommandBench;
  let env: Record<string, string>;
  let store: JetStreamEventStore;
  beforeAll(async () => {
    bench = await commandBench(COMMAND_SUBJECTS.RerunRollback, 'cli-rollback-test');
    ({ env, store } = bench);
  }, 60_000);
  afterAll(async () => bench.close());

  /** The jobs service's part: one RerunRollback asks the job for its rollback again. */
  const rolledBackAgain = async () =>
    (
      await jobsSide<CommandOf<'RerunRollback'>>(bench, 'RerunRollback', 1, (command) => ({
        type: 'RequestRollback',
        data: { reason: command.data.reason ?? '', requestedBy: command.metadata.commandId },
        metadata: {
          commandId: decisionId(command.metadata.commandId, 'rerun-rollback'),
          correlationId: command.metadata.commandId,
          now: new Date().toISOString(),
        },
      }))
    )[0] as CommandOf<'RerunRollback'>;

  it('asks for a failed job’s rollback again, and says it was accepted', async () => {
    const disk = {
      index: 0,
      controller: 'scsi' as const,
      slot: 'scsi0:0',
      path: '/vms/a.vmdk',
      capacityBytes: 1024,
    };
    await failedJob(store, 'rb-failed', {
      vm: { ...testVm, disks: [disk] },
      artifacts: [
        {
          diskIndex: 0,
          path: '/out/rb-failed/disk-0.qcow2',
          format: 'qcow2',
          virtualSize: 1024,
          allocatedSize: 1024,
          sha256: 'a'.repeat(64),
        },
      ],
      resources: [],
    });
    const [run, sent] = await Promise.all([
      ferry(['rollback', 'rb-failed', '--reason', 'the cloud is back'], env),
      rolledBackAgain(),
    ]);
    expect(sent.data).toEqual({ jobId: 'rb-failed', reason: 'the cloud is back' });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('job rb-failed: its rollback runs again');
    const { events } = await store.read(migrationStream('rb-failed'));
    expect(events.at(-1)?.type).toBe('RollbackRequested');
  });

  it('exits 3 with the reason when the job has no rollback to run', async () => {
    await discoveredJob(store, 'rb-active');
    const [run] = await Promise.all([ferry(['rollback', 'rb-active'], env), rolledBackAgain()]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /refused \(illegal-state\): RequestRollback is not allowed in state DISCOVERED/,
    );
  });

  it('says the same as JSON: each job, its command and the answer', async () => {
    const [run] = await Promise.all([
      ferry(['rollback', 'rb-active', '-f', 'json'], env),
      rolledBackAgain(),
    ]);
    expect(run.code).toBe(3);
    expect((JSON.parse(run.stdout) as Answers).requests).toEqual([
      {
        jobId: 'rb-active',
        commandId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        outcome: 'refused',
        reason: 'illegal-state',
        message: expect.stringMatching(/RequestRollback is not allowed in state DISCOVERED/),
      },
    ]);
  });

  it('exits 2 on a bad command line, sending nothing', async () => {
    expect((await ferry(['rollback'], env)).code).toBe(2);
    expect((await ferry(['rollback', 'a', '--bogus'], env)).code).toBe(2);
    expect((await ferry(['retry', 'a', '--strategy', 'copy'], env)).code).toBe(2);
  });
});

describe('ferry retry: many jobs at once, with options (edit and retry)', () => {
  let bench: CommandBench;
  beforeAll(async () => {
    bench = await commandBench(COMMAND_SUBJECTS.RetryMigration, 'cli-retry-test');
  }, 60_000);
  afterAll(async () => bench.close());

  /** A job failed with rollback off: one a retry may start again as it is. */
  async function failedForRetry(jobId: string) {
    const stream = migrationStream(jobId);
    const flags = { realConversion: true, openstackDeployment: true, rollback: false };
    await handleCommand(bench.store, migrationDecider, stream, createMigration(jobId, flags));
    await handleCommand(bench.store, migrationDecider, stream, {
      type: 'FailMigration',
      data: { stage: 'validation', code: 'test', message: 'failed for the test', retryable: true },
      metadata: commandContext(`fail-${jobId}`),
    });
  }

  /** The jobs service's part: each RetryMigration starts its job again, with the options sent. */
  const retried = (count: number) =>
    jobsSide<CommandOf<'RetryMigration'>>(bench, 'RetryMigration', count, (command) => ({
      type: 'RetryMigration',
      data: {
        reason: command.data.reason ?? '',
        ...(command.data.options && { options: command.data.options }),
      },
      metadata: {
        commandId: command.metadata.commandId,
        correlationId: command.metadata.commandId,
        now: new Date().toISOString(),
      },
    }));

  it('sends one retry per job with the options given, prints each answer, and exits 3 when one is refused', async () => {
    await failedForRetry('rt-1');
    await failedForRetry('rt-2');
    await discoveredJob(bench.store, 'rt-active');
    const [run, sent] = await Promise.all([
      ferry(
        ['retry', 'rt-1', 'rt-2', 'rt-active', '--flavor', 'm1.small', '--security-group', 'web'],
        bench.env,
      ),
      retried(3),
    ]);
    expect(sent.map((c) => c.data.jobId).sort()).toEqual(['rt-1', 'rt-2', 'rt-active']);
    for (const command of sent)
      expect(command.data.options).toEqual({ flavor: 'm1.small', securityGroups: ['web'] });
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/job rt-1: a new attempt begins/);
    expect(run.stdout).toMatch(/job rt-2: a new attempt begins/);
    expect(run.stderr).toMatch(/job rt-active refused \(illegal-state\)/);
    for (const jobId of ['rt-1', 'rt-2']) {
      const { events } = await bench.store.read(migrationStream(jobId));
      expect(events.at(-1)).toMatchObject({
        type: 'MigrationRetried',
        data: { attempt: 2, options: { flavor: 'm1.small', securityGroups: ['web'] } },
      });
    }
  });

  it('answers as JSON too, with each retry accepted', async () => {
    await failedForRetry('rt-3');
    const [run] = await Promise.all([ferry(['retry', 'rt-3', '--json'], bench.env), retried(1)]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect((JSON.parse(run.stdout) as Answers).requests).toEqual([
      expect.objectContaining({
        jobId: 'rt-3',
        outcome: 'accepted',
        message: 'a new attempt begins',
      }),
    ]);
  });

  it('refuses options on a cancel, and a bad option on a retry, sending nothing', async () => {
    expect((await ferry(['cancel', 'rt-1', '--flavor', 'x'], bench.env)).stderr).toMatch(
      /--flavor: only ferry retry takes a job's options/,
    );
    expect((await ferry(['retry', 'rt-1', '--boot-mode', 'disk'], bench.env)).code).toBe(2);
  });
});

interface Answers {
  requests: {
    jobId: string;
    commandId: string;
    outcome: string;
    reason?: string;
    message: string;
  }[];
}

describe('ferry cancel', () => {
  let bench: CommandBench;
  beforeAll(async () => {
    bench = await commandBench(COMMAND_SUBJECTS.CancelMigration, 'cli-cancel-test');
  }, 60_000);
  afterAll(async () => bench.close());

  /** The jobs service's part: each CancelMigration fails its job as asked. */
  const cancelled = (count: number) =>
    jobsSide<CommandOf<'CancelMigration'>>(bench, 'CancelMigration', count, (command) => ({
      type: 'CancelMigration',
      data: { reason: command.data.reason ?? '', requestedBy: command.metadata.commandId },
      metadata: {
        commandId: decisionId(command.metadata.commandId, 'cancel'),
        correlationId: command.metadata.commandId,
        now: new Date().toISOString(),
      },
    }));

  it('cancels an active job and says so; exit 0', async () => {
    await discoveredJob(bench.store, 'cx-1');
    const [run, sent] = await Promise.all([
      ferry(['cancel', 'cx-1', '--reason', 'wrong VM'], bench.env),
      cancelled(1),
    ]);
    expect(sent[0]?.data).toEqual({ jobId: 'cx-1', reason: 'wrong VM' });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^job cx-1: cancelled, it is rolled back \(command [0-9a-f-]{36}\)/);
    const { events } = await bench.store.read(migrationStream('cx-1'));
    expect(events.at(-1)).toMatchObject({ type: 'MigrationFailed', data: { code: 'cancelled' } });
  });

  it('answers for each job as JSON and as YAML; exit 3 when one is refused', async () => {
    await discoveredJob(bench.store, 'cx-2');
    const [json] = await Promise.all([
      ferry(['cancel', 'cx-2', 'cx-1', '-f', 'json'], bench.env),
      cancelled(2),
    ]);
    expect(json.code).toBe(3);
    const byJob = Object.fromEntries(
      (JSON.parse(json.stdout) as Answers).requests.map((r) => [r.jobId, r]),
    );
    expect(byJob['cx-2']).toMatchObject({ outcome: 'accepted' });
    // cx-1 was cancelled above: failed already.
    expect(byJob['cx-1']).toMatchObject({ outcome: 'refused', reason: 'illegal-state' });
    await discoveredJob(bench.store, 'cx-3');
    const [yaml] = await Promise.all([
      ferry(['cancel', 'cx-3', '-f', 'yaml'], bench.env),
      cancelled(1),
    ]);
    expect(yaml.code).toBe(0);
    expect((parse(yaml.stdout) as Answers).requests).toEqual([
      expect.objectContaining({ jobId: 'cx-3', outcome: 'accepted' }),
    ]);
  });

  it('says when no jobs service answers, in JSON too; exit 3', async () => {
    const run = await ferry(['cancel', 'cx-9', '--timeout', '1', '--json'], bench.env);
    expect(run.code).toBe(3);
    expect((JSON.parse(run.stdout) as Answers).requests).toEqual([
      expect.objectContaining({ jobId: 'cx-9', outcome: 'unanswered' }),
    ]);
    // The command stays for a jobs service to come: taken here so the next test starts clean.
    await cancelled(1);
  });

  it('exits 2 on a bad command line and 3 when NATS is unreachable', async () => {
    expect((await ferry(['cancel'], bench.env)).code).toBe(2);
    expect((await ferry(['cancel', 'cx-1', '-f', 'xml'], bench.env)).code).toBe(2);
    expect((await ferry(['cancel', 'cx-1', '--json', '-f', 'yaml'], bench.env)).code).toBe(2);
    expect((await ferry(['cancel', 'cx-1'], { NATS_URL: 'nats://127.0.0.1:1' })).code).toBe(3);
  });
});
