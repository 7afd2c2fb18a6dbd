import { migrationDecider } from '@ferry/domain';
import { handleCommand, JetStreamEventStore } from '@ferry/event-store';
import { natsWithStreams, commandContext, discoveredJob, testVm } from '@ferry/stages/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferry } from './testing/run-ferry.ts';
import { parse } from 'yaml';

describe('ferry jobs and ferry job', () => {
  let nats: Awaited<ReturnType<typeof natsWithStreams>>;
  let env: Record<string, string>;
  beforeAll(async () => {
    nats = await natsWithStreams();
    env = { NATS_URL: nats.server.url };
    const store = new JetStreamEventStore(await nats.connect());
    const failed = await discoveredJob(store, 'job-b', {
      vm: { ...testVm, key: 'ws-b', name: 'b' },
      flags: { realConversion: true, openstackDeployment: true, rollback: false },
    });
    await handleCommand(store, migrationDecider, failed, {
      type: 'FailMigration',
      data: {
        stage: 'conversion',
        code: 'disk-unreadable',
        message: 'no such file',
        retryable: false,
      },
      metadata: { ...commandContext('fail-b'), now: '2026-11-25T10:05:00Z' },
    });
    await discoveredJob(store, 'job-a');
    // Another category's stream, which the job list must not take for a job.
    await store.append(
      'vm-ws-x',
      [
        {
          type: 'VmClaimed',
          data: { vmKey: 'ws-x', jobId: 'job-x' },
          metadata: {
            commandId: 'claim-x',
            correlationId: 'claim-x',
            causationId: 'claim-x',
            occurredAt: '2026-11-25T10:00:00Z',
          },
        },
      ],
      'any',
    );
  }, 60_000);
  afterAll(async () => nats.close());

  it('lists every job with its state, VM, attempt, update time and failure', async () => {
    const { code, stdout } = await ferry(['jobs'], env);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^JOB +VM +STATE +ATTEMPT +UPDATED +IMAGE +SERVER +FAILURE$/);
    expect(lines.slice(1).map((l) => l.split(/ {2,}/))).toEqual([
      ['job-a', 'a (ws-a)', 'DISCOVERED', '1', '2026-11-25T10:00:00Z', '-', '-', '-'],
      ['job-b', 'b (ws-b)', 'FAILED', '1', '2026-11-25T10:05:00Z', '-', '-', 'disk-unreadable'],
    ]);
  });

  it('keeps one state, and says so as JSON', async () => {
    const { code, stdout } = await ferry(['jobs', '--state', 'failed', '--json'], env);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      jobs: [
        {
          jobId: 'job-b',
          vmName: 'b',
          vmKey: 'ws-b',
          state: 'FAILED',
          dryRun: false,
          attempt: 1,
          updatedAt: '2026-11-25T10:05:00Z',
          imageId: null,
          serverId: null,
          failureCode: 'disk-unreadable',
        },
      ],
    });
  });

  it('prints the same as YAML with -f yaml, and -f json as --json; refuses a format it does not know (2)', async () => {
    const asJson = await ferry(['jobs', '--state', 'failed', '-f', 'json'], env);
    const asYaml = await ferry(['jobs', '--state', 'failed', '--format', 'yaml'], env);
    expect([asJson.code, asYaml.code]).toEqual([0, 0]);
    expect(parse(asYaml.stdout)).toEqual(JSON.parse(asJson.stdout));
    expect(asYaml.stdout).toMatch(/^jobs:\n {2}- jobId: job-b\n/);
    const job = await ferry(['job', 'job-b', '-f', 'yaml'], env);
    expect((parse(job.stdout) as { job: { state: string } }).job.state).toBe('FAILED');
    const bad = await ferry(['jobs', '-f', 'xml'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/-f: one of table, json, yaml, not 'xml'/);
    const both = await ferry(['jobs', '--json', '-f', 'yaml'], env);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--json and -f yaml ask for two formats/);
  });

  it('shows one job: its summary, stage timings, failure, and every event', async () => {
    const { code, stdout } = await ferry(['job', 'job-b'], env);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^state +FAILED$/m);
    expect(stdout).toMatch(/^vm +b \(ws-b\) from workstation \/vms$/m);
    expect(stdout).toMatch(/"rollback":false/);
    expect(stdout).toMatch(
      /validation +done +2026-11-25T10:00:00Z -> 2026-11-25T10:00:00Z \(0\.0 s\)/,
    );
    expect(stdout).toMatch(/conversion +failed .* -> 2026-11-25T10:05:00Z \(300\.0 s\)/);
    expect(stdout).toMatch(/^failure +conversion: disk-unreadable: no such file$/m);
    expect(stdout.split('events:\n')[1]?.match(/^ {2}\d+ .*$/gm)).toEqual([
      expect.stringMatching(/^ {2}0 +2026-11-25T10:00:00Z +MigrationCreated +vm b \(ws-b\)/),
      expect.stringMatching(/^ {2}1 .* MigrationValidated +validation passed/),
      expect.stringMatching(/^ {2}2 .* MigrationFailed +conversion failed: disk-unreadable/),
    ]);

    const json = await ferry(['job', 'job-b', '--json'], env);
    const { job, events } = JSON.parse(json.stdout) as {
      job: { state: string; stages: { stage: string; durationMs: number }[] };
      events: { type: string; revision: number }[];
    };
    expect(job.state).toBe('FAILED');
    expect(job.stages.map((s) => [s.stage, s.durationMs])).toEqual([
      ['validation', 0],
      ['conversion', 300_000],
    ]);
    expect(events.map((e) => e.type)).toEqual([
      'MigrationCreated',
      'MigrationValidated',
      'MigrationFailed',
    ]);
  });

  it('says when there is no such job, or the id cannot be one', async () => {
    expect(await ferry(['job', 'job-zzz'], env)).toMatchObject({
      code: 1,
      stderr: 'ferry job: no job job-zzz\n',
    });
    expect(await ferry(['job', 'a.b'], env)).toMatchObject({ code: 2 });
    expect(await ferry(['jobs', '--state', 'DONE'], env)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--state: one of PENDING, DISCOVERED/),
    });
  });

  it('exits 3 when NATS cannot be reached', async () => {
    expect(await ferry(['jobs'], { NATS_URL: 'nats://127.0.0.1:1' })).toMatchObject({
      code: 3,
      stderr: expect.stringMatching(/cannot reach NATS at nats:\/\/127\.0\.0\.1:1/),
    });
  });
});
