import type { Consumer } from '@nats-io/jetstream';
import {
  COMMAND_SUBJECTS,
  HEADERS,
  selectionStreamId,
  validateCommand,
  type EventOf,
  type MigrationFlags,
  type VmDescription,
  migrationStream,
} from '@ferry/contracts';
import { migrationDecider, type MigrationCommand } from '@ferry/domain';
import { handleCommand, type JetStreamEventStore } from '@ferry/event-store';
import { rejectionRecorder } from '@ferry/stages';
import { commandContext, createMigration, testVm } from '@ferry/stages/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferry } from './testing/run-ferry.ts';
import { commandBench, type CommandBench } from './testing/command-bench.ts';

const vm: VmDescription = {
  ...testVm,
  disks: [
    { index: 0, controller: 'scsi', slot: 'scsi0:0', path: '/vms/a/a.vmdk', capacityBytes: 1024 },
  ],
};
const time = (n: number) => `2026-11-25T10:${String(n).padStart(2, '0')}:00Z`;
type Step = Omit<MigrationCommand, 'metadata'>;

describe('ferry migrate', () => {
  let bench: CommandBench;
  let env: Record<string, string>;
  let store: JetStreamEventStore;
  let commands: Consumer;
  beforeAll(async () => {
    bench = await commandBench(COMMAND_SUBJECTS.CreateMigrations, 'cli-test');
    ({ env, store, commands } = bench);
  }, 60_000);
  afterAll(async () => bench.close());

  /** The next command the CLI sent, as the jobs service would take it from its work queue. */
  const nextCommand = async (expires = 10_000) => {
    const m = await commands.next({ expires });
    m?.ack();
    return (
      m && { json: m.json<unknown>(), msgId: m.headers?.get('Nats-Msg-Id'), headers: m.headers }
    );
  };

  /** Plays the jobs side: the outcome of the selection, then each job's steps through the decider. */
  async function answer(
    commandId: string,
    jobs: Record<string, { flags: MigrationFlags; steps: Step[] }>,
  ) {
    await nextCommand();
    const selection: EventOf<'MigrationSelectionProcessed'> = {
      type: 'MigrationSelectionProcessed',
      data: {
        jobs: Object.keys(jobs).map((jobId) => ({ jobId, vmKey: vm.key })),
        skipped: [{ vmKey: 'ws-busy', reason: 'active-job', activeJobId: 'job-old' }],
      },
      metadata: {
        commandId,
        correlationId: commandId,
        causationId: commandId,
        occurredAt: time(0),
      },
    };
    for (const [jobId, { flags }] of Object.entries(jobs)) {
      const create = createMigration(jobId, flags);
      await handleCommand(store, migrationDecider, migrationStream(jobId), {
        ...create,
        data: { ...create.data, vmKey: vm.key, vmName: vm.name },
        metadata: { ...create.metadata, now: time(1) },
      });
    }
    await store.append(`selection-${await selectionStreamId(commandId)}`, [selection], 'no-stream');
    // Later steps land while the CLI is following.
    await new Promise((r) => setTimeout(r, 300));
    for (const [jobId, { steps }] of Object.entries(jobs))
      for (const [i, step] of steps.entries())
        await handleCommand(store, migrationDecider, migrationStream(jobId), {
          ...step,
          metadata: { ...commandContext(`${jobId}-${i}`), now: time(i + 2) },
        } as MigrationCommand);
  }

  const validated: Step = {
    type: 'RecordValidation',
    data: { vm, checks: [{ name: 'disks-present', outcome: 'passed', detail: '1 disk' }] },
  };
  const dryRunToTheEnd: Step[] = [
    validated,
    {
      type: 'StartConversion',
      data: {
        strategy: 'qemu-img',
        commands: [['qemu-img', 'convert', '/vms/a/a.vmdk']],
        disks: [{ diskIndex: 0, path: '/vms/a/a.vmdk', capacityBytes: 1024 }],
      },
    },
    { type: 'RecordConversionProgress', data: { diskIndex: 0, percent: 50 } },
    { type: 'CompleteConversion', data: { artifacts: [], reused: false, durationMs: 5 } },
    { type: 'StartImageUpload', data: { imageId: null, imageName: 'ferry-a' } },
    {
      type: 'CompleteImageUpload',
      data: { imageId: null, checksum: null, sizeBytes: 0, reused: false, durationMs: 1 },
    },
    {
      type: 'RecordServerDeployed',
      data: {
        serverId: null,
        flavor: 'm1.small',
        bootMode: 'image',
        networks: [],
        ports: [],
        volumes: [],
        reused: false,
      },
    },
    { type: 'RecordVerification', data: { serverStatus: null, durationMs: 0 } },
  ];

  it('publishes a valid CreateMigrations carrying the options, and says when nobody answers', async () => {
    const run = ferry(
      [
        'migrate',
        'ws-a',
        'ws-b',
        '--strategy',
        'virt-v2v',
        '--boot-mode',
        'volume',
        '--flavor',
        'm1.large',
        '--network',
        'VM Network=private',
        '--network',
        'lan=public',
        '--network',
        'toString=shared',
        '--keep-mac',
        '--command-id',
        'cmd-options',
        '--timeout',
        '1',
      ],
      env,
    );
    const sent = await nextCommand();
    expect(sent?.msgId).toBe('cmd-options');
    expect(sent?.headers?.get(HEADERS.commandId)).toBe('cmd-options');
    expect(validateCommand(sent?.json)).toMatchObject({ ok: true });
    expect(sent?.json).toMatchObject({
      type: 'CreateMigrations',
      data: {
        vmKeys: ['ws-a', 'ws-b'],
        options: {
          strategy: 'virt-v2v',
          bootMode: 'volume',
          flavor: 'm1.large',
          networkMapping: { 'VM Network': 'private', lan: 'public', toString: 'shared' },
          keepMac: true,
        },
      },
      metadata: { commandId: 'cmd-options' },
    });
    expect(await run).toMatchObject({
      code: 3,
      stderr: expect.stringMatching(
        /cmd-options sent, but no answer within 1 s: is the jobs service running\?/,
      ),
    });
  });

  it('sends only the options given, under a new command id', async () => {
    const run = ferry(['migrate', 'ws-a', '--timeout', '1'], env);
    const sent = (await nextCommand())?.json as { data: unknown; metadata: { commandId: string } };
    expect(sent.data).toEqual({ vmKeys: ['ws-a'] });
    expect(sent.metadata.commandId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await run).code).toBe(3);
  });

  it('refuses a bad command line with a usage error, sending nothing', async () => {
    for (const [args, message] of [
      [['migrate'], /give at least one VM key/],
      [['migrate', 'ws-a', '--network', 'lan'], /--network: SOURCE=TARGET/],
      [['migrate', 'ws-a', '--network', 'lan=', '--wait'], /--network: SOURCE=TARGET/],
      [['migrate', 'ws-a', '--boot-mode', 'disk'], /--boot-mode: one of image, volume, auto/],
      [['migrate', 'bad key'], /\/data\/vmKeys\/0 must match pattern/],
    ] as const) {
      expect(await ferry([...args], env), args.join(' ')).toMatchObject({
        code: 2,
        stderr: expect.stringMatching(message),
      });
    }
    expect(await nextCommand(1000)).toBeNull();
  });

  it('exits 3 with the reason when the command is rejected', async () => {
    const run = ferry(['migrate', 'ws-a', '--command-id', 'cmd-rejected'], env);
    await nextCommand();
    await rejectionRecorder(store)({
      subject: COMMAND_SUBJECTS.CreateMigrations,
      commandType: 'CreateMigrations',
      commandId: 'cmd-rejected',
      reason: 'invalid',
      errors: [{ path: '/data/vmKeys/0', message: 'no VM has this key' }],
    });
    expect(await run).toMatchObject({
      code: 3,
      stderr: 'ferry migrate: rejected (invalid)\n  /data/vmKeys/0: no VM has this key\n',
    });
  });

  it('--wait follows a job to the end, line by line, and says plainly it was a dry run', async () => {
    const run = ferry(['migrate', 'ws-a', 'ws-busy', '--wait', '--command-id', 'cmd-dry'], env);
    await answer('cmd-dry', {
      'job-dry': {
        flags: { realConversion: false, openstackDeployment: false, rollback: true },
        steps: dryRunToTheEnd,
      },
    });
    const { code, stdout } = await run;
    expect(stdout.trim().split('\n')).toEqual([
      'command cmd-dry: 1 job(s) created, 1 VM(s) skipped',
      'created  job-dry  ws-a',
      'skipped  ws-busy  has an active job job-old',
      `${time(1)}  job-dry  MigrationCreated  vm a (ws-a), qemu-img, boot from image; dry run of conversion and deployment`,
      `${time(2)}  job-dry  MigrationValidated  validation passed: disks-present passed`,
      `${time(3)}  job-dry  ConversionStarted  qemu-img dry run (nothing converted), 1 disk`,
      `${time(4)}  job-dry  ConversionProgressed  disk 0 50%`,
      `${time(5)}  job-dry  ConversionCompleted  dry run: no artifact`,
      `${time(6)}  job-dry  ImageUploadStarted  dry run: no image (ferry-a)`,
      `${time(7)}  job-dry  ImageUploadCompleted  dry run: nothing uploaded`,
      `${time(8)}  job-dry  ServerDeployed  dry run: no server; a real run would use flavor m1.small`,
      `${time(9)}  job-dry  MigrationVerified  DRY RUN: nothing was migrated (conversion or deployment was off)`,
      'job-dry  ws-a  VERIFIED (DRY RUN: nothing was really migrated)',
    ]);
    expect(code).toBe(0);
  });

  it('--wait --json: the outcome, then each event, as JSON lines; a rolled-back job exits 1', async () => {
    const run = ferry(['migrate', 'ws-a', '--wait', '--json', '--command-id', 'cmd-fails'], env);
    await answer('cmd-fails', {
      'job-fails': {
        flags: { realConversion: true, openstackDeployment: true, rollback: true },
        steps: [
          validated,
          {
            type: 'FailMigration',
            data: {
              stage: 'conversion',
              code: 'disk-unreadable',
              message: 'no such file',
              retryable: false,
            },
          },
          { type: 'StartRollback', data: { keep: [] } },
          { type: 'CompleteRollback', data: {} },
        ],
      },
    });
    const { code, stdout } = await run;
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; data: { jobId?: string } });
    expect(lines.map((l) => l.type)).toEqual([
      'MigrationSelectionProcessed',
      'MigrationCreated',
      'MigrationValidated',
      'MigrationFailed',
      'RollbackStarted',
      'RollbackCompleted',
    ]);
    expect(lines[3]?.data).toMatchObject({ jobId: 'job-fails', code: 'disk-unreadable' });
    expect(code).toBe(1);

    const human = await ferry(['migrate', 'ws-a', '--wait', '--command-id', 'cmd-fails'], env);
    expect(human.stdout).toMatch(/RollbackCompleted {2}complete: 0 deleted/);
    expect(human.stdout.trim().split('\n').at(-1)).toBe(
      'job-fails  ws-a  ROLLED_BACK  disk-unreadable: no such file',
    );
    expect(human.code).toBe(1);
  });
});
