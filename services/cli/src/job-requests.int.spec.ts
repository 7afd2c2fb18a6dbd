import type { Consumer } from '@nats-io/jetstream';
import { COMMAND_SUBJECTS, decisionId, migrationStream, type CommandOf } from '@ferry/contracts';
import { IllegalStateError, migrationDecider } from '@ferry/domain';
import { handleCommand, type JetStreamEventStore } from '@ferry/event-store';
import { rejectionRecorder } from '@ferry/stages';
import { discoveredJob, failedJob, testVm } from '@ferry/stages/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferry } from './testing/run-ferry.ts';
import { commandBench, type CommandBench } from './testing/command-bench.ts';

describe('ferry rollback', () => {
  let bench: CommandBench;
  let env: Record<string, string>;
  let store: JetStreamEventStore;
  let commands: Consumer;
  beforeAll(async () => {
    bench = await commandBench(COMMAND_SUBJECTS.RerunRollback, 'cli-rollback-test');
    ({ env, store, commands } = bench);
  }, 60_000);
  afterAll(async () => bench.close());

  /** Plays the jobs service: the request decided on the job, or its refusal recorded where the CLI looks. */
  async function jobsSide() {
    const m = await commands.next({ expires: 10_000 });
    m?.ack();
    const command = m?.json<CommandOf<'RerunRollback'>>();
    if (!command) throw new Error('no RerunRollback sent');
    const { commandId } = command.metadata;
    try {
      await handleCommand(store, migrationDecider, migrationStream(command.data.jobId), {
        type: 'RequestRollback',
        data: { reason: command.data.reason ?? '', requestedBy: commandId },
        metadata: {
          commandId: decisionId(commandId, 'rerun-rollback'),
          correlationId: commandId,
          now: new Date().toISOString(),
        },
      });
    } catch (error) {
      if (!(error instanceof IllegalStateError)) throw error;
      await rejectionRecorder(store)({
        subject: COMMAND_SUBJECTS.RerunRollback,
        commandType: 'RerunRollback',
        commandId,
        reason: 'illegal-state',
        errors: [{ path: '', message: error.message }],
      });
    }
    return command;
  }

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
      jobsSide(),
    ]);
    expect(sent.data).toEqual({ jobId: 'rb-failed', reason: 'the cloud is back' });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('job rb-failed: its rollback runs again');
    const { events } = await store.read(migrationStream('rb-failed'));
    expect(events.at(-1)?.type).toBe('RollbackRequested');
  });

  it('exits 3 with the reason when the job has no rollback to run', async () => {
    await discoveredJob(store, 'rb-active');
    const [run] = await Promise.all([ferry(['rollback', 'rb-active'], env), jobsSide()]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /refused \(illegal-state\): RequestRollback is not allowed in state DISCOVERED/,
    );
  });

  it('exits 2 on a bad command line, sending nothing', async () => {
    expect((await ferry(['rollback'], env)).code).toBe(2);
    expect((await ferry(['rollback', 'a', '--bogus'], env)).code).toBe(2);
    expect((await ferry(['retry', 'a', '--strategy', 'copy'], env)).code).toBe(2);
  });
});
