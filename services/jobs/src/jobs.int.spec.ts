import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import {
  rejectionStreamId,
  selectionStreamId,
  STREAMS,
  type EventOf,
  type MigrationEvent,
  migrationStream,
} from '@ferry/contracts';
import {
  fold,
  inventoryDecider,
  migrationDecider,
  migrationStatus,
  PREFLIGHT_RULES,
} from '@ferry/domain';
import { handleCommand, JetStreamEventStore } from '@ferry/event-store';
import { rejectionRecorder } from '@ferry/stages';
import { natsWithStreams } from '@ferry/stages/testing';
import { publishCommand, type NatsConnection } from '@ferry/messaging';
import { createFerryMicroservice } from '@ferry/messaging/nest';
import { CloudConfigError } from '@ferry/openstack';
import { eventually } from '@ferry/testing';
import { discoverWorkstation, rereadVm, Roots } from '@ferry/vmware';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS } from './defaults.ts';
import { InventoryIndex, inventoryHead } from './inventory-index.ts';
import { jobIdFor } from './job-id.ts';
import { JobsModule } from './jobs.module.ts';
import { ProcessManager } from './process-manager.ts';

/** A Workstation VM as Workstation writes it: a .vmx and a real VMDK made by qemu-img. */
function workstationVm(root: string, name: string, extra = '') {
  const dir = join(root, name);
  mkdirSync(dir);
  execFileSync('qemu-img', ['create', '-q', '-f', 'vmdk', join(dir, `${name}.vmdk`), '16M']);
  writeFileSync(
    join(dir, `${name}.vmx`),
    `.encoding = "UTF-8"\ndisplayName = "${name}"\nguestOS = "debian12-64"\nnumvcpus = "1"\nmemsize = "512"\nscsi0.present = "TRUE"\nscsi0:0.present = "TRUE"\nscsi0:0.fileName = "${name}.vmdk"\nethernet0.present = "TRUE"\nethernet0.connectionType = "nat"\nethernet0.addressType = "generated"\nethernet0.generatedAddress = "00:0c:29:00:00:01"\n${extra}`,
  );
}

describe('the jobs service (in-process, real nats-server, real Workstation files)', () => {
  let nats: Awaited<ReturnType<typeof natsWithStreams>>;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let store: JetStreamEventStore;
  let root: string;
  let app: Awaited<ReturnType<typeof createFerryMicroservice>>;
  let pm: ProcessManager;
  const stopping = new AbortController();

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ferry-jobs-'));
    nats = await natsWithStreams();
    nc = await nats.connect();
    jsm = await jetstreamManager(nc);
    store = new JetStreamEventStore(nc);
    workstationVm(root, 'alpha');
    workstationVm(root, 'beta');
    workstationVm(root, 'running');
    writeFileSync(join(root, 'running', 'running.vmx.lck'), '');
    const scan = await discoverWorkstation(await Roots.of([root]));
    await handleCommand(store, inventoryDecider, 'inventory-test', {
      type: 'RecordScan',
      data: { source: { kind: 'workstation', id: scan.vms[0]?.source.id ?? root }, ...scan },
      metadata: { commandId: 'scan-1', correlationId: 'scan-1', now: new Date().toISOString() },
    });
    const inventory = new InventoryIndex(store, () => inventoryHead(jsm));
    void inventory.run(stopping.signal);
    const settings = { VMWARE_WORKSTATION_PATHS: [root] } as unknown as Parameters<
      typeof rereadVm
    >[0];
    app = await createFerryMicroservice(
      JobsModule.register({
        store,
        runner: { store, nc, service: 'jobs', leaseMs: 60_000 },
        inventory,
        flags: { realConversion: false, openstackDeployment: false, rollback: true },
        defaults: DEFAULT_OPTIONS,
        reread: (vm) => rereadVm(settings, vm),
        outputDir: join(root, 'out'),
        // As a session with no cloud configured answers: the dry run asks, and says it could not.
        target: () => Promise.reject(new CloudConfigError('no cloud in these tests')),
        identity: () => Promise.reject(new Error('deployment is off in these tests')),
        guestAddresses: () => Promise.reject(new Error('no job here keeps its addresses')),
      }),
      {
        connection: nc,
        consumer: { durable: 'jobs', filterSubject: 'ferry.cmd.migration.>', concurrency: 16 },
        reject: rejectionRecorder(store),
      },
    );
    await app.listen();
    pm = new ProcessManager({ nc, store });
    await pm.start();
  });

  afterAll(async () => {
    stopping.abort();
    await pm?.stop();
    await app?.close();
    await nats?.close();
    rmSync(root, { recursive: true, force: true });
  });

  const vmKey = async (name: string) =>
    (await discoverWorkstation(await Roots.of([root]))).vms.find((v) => v.name === name)
      ?.key as string;
  const jobEvents = async (jobId: string) =>
    (await store.read<MigrationEvent>(migrationStream(jobId))).events;
  const selection = async (commandId: string) =>
    (await store.read(`selection-${await selectionStreamId(commandId)}`)).events[0] as
      EventOf<'MigrationSelectionProcessed'> | undefined;
  const create = async (commandId: string, vmKeys: string[]) => {
    await publishCommand(jetstream(nc), {
      type: 'CreateMigrations',
      data: { vmKeys, options: { strategy: 'qemu-img' } },
      metadata: { commandId },
    });
    await eventually(async () => (await selection(commandId)) !== undefined, 'selection recorded');
    return (await selection(commandId))?.data;
  };
  /** The stage commands the process manager sent, read from the work queue (no such service runs here). */
  async function sentCommands(subject: string): Promise<{ type: string; jobId: string }[]> {
    const { state } = await jsm.streams.info(STREAMS.commands);
    const out: { type: string; jobId: string }[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
      const m = await jsm.streams.getMessage(STREAMS.commands, { seq }).catch(() => null);
      if (m?.subject !== subject) continue;
      const c = m.json<{ type: string; data: { jobId: string } }>();
      out.push({ type: c.type, jobId: c.data.jobId });
    }
    return out;
  }

  it('creates one job per known VM, skips an unknown one, and validates each against its source', async () => {
    const alpha = await vmKey('alpha');
    const outcome = await create('create-1', [alpha, 'ws-nosuchvm']);
    const jobId = jobIdFor('create-1', alpha);
    expect(outcome).toEqual({
      jobs: [{ vmKey: alpha, jobId }],
      skipped: [{ vmKey: 'ws-nosuchvm', reason: 'unknown-vm', activeJobId: null }],
    });
    await eventually(
      async () => (await jobEvents(jobId)).some((e) => e.type === 'MigrationValidated'),
      'validated',
    );
    const events = await jobEvents(jobId);
    const created = events[0] as EventOf<'MigrationCreated'>;
    expect(created.data.options.strategy).toBe('qemu-img');
    expect(created.data.flags).toEqual({
      realConversion: false,
      openstackDeployment: false,
      rollback: true,
    });
    const validated = events.find(
      (e) => e.type === 'MigrationValidated',
    ) as EventOf<'MigrationValidated'>;
    expect(validated.data.outcome).toBe('passed');
    expect(Object.fromEntries(validated.data.checks.map((c) => [c.name, c.outcome]))).toEqual({
      'source-readable': 'passed',
      'disks-present': 'passed',
      'disk-formats': 'passed',
      'power-state': 'passed',
      'free-space': 'passed',
      target: 'skipped',
      // Every pre-flight rule is recorded; none applies to this plain VM.
      ...Object.fromEntries(PREFLIGHT_RULES.map((r) => [r.id, 'passed'])),
    });
    // The process manager sent the next stage's command for it.
    await eventually(
      async () =>
        (await sentCommands('ferry.cmd.conversion.convert')).some((c) => c.jobId === jobId),
      'conversion asked for',
    );
  });

  it('skips a VM that already has an active job, naming that job, and a redelivered create changes nothing', async () => {
    const alpha = await vmKey('alpha');
    const outcome = await create('create-2', [alpha]);
    expect(outcome).toEqual({
      jobs: [],
      skipped: [{ vmKey: alpha, reason: 'active-job', activeJobId: jobIdFor('create-1', alpha) }],
    });
    // The same command again (a redelivery past the dedupe window): the same job, no second one.
    const before = (await jobEvents(jobIdFor('create-1', alpha))).length;
    await publishCommand(jetstream(nc), {
      type: 'CreateMigrations',
      data: { vmKeys: [alpha], options: { strategy: 'qemu-img' } },
      metadata: { commandId: 'create-1', issuedAt: new Date().toISOString() },
    });
    await new Promise((r) => setTimeout(r, 500));
    expect((await jobEvents(jobIdFor('create-1', alpha))).length).toBe(before);
  });

  it('fails validation of a running VM and of a VM whose disk was removed, and sends the rollback', async () => {
    const running = await vmKey('running');
    const beta = await vmKey('beta');
    // beta's disk goes away after discovery saw it: validation reads the VM again and finds out.
    rmSync(join(root, 'beta', 'beta.vmdk'));
    await create('create-3', [running, beta]);
    for (const [key, check, detail] of [
      [running, 'power-state', /running/],
      [beta, 'disks-present', /beta\.vmdk/],
    ] as const) {
      const jobId = jobIdFor('create-3', key);
      await eventually(
        async () => (await jobEvents(jobId)).some((e) => e.type === 'MigrationFailed'),
        `${key} failed`,
      );
      const validated = (await jobEvents(jobId)).find(
        (e) => e.type === 'MigrationValidated',
      ) as EventOf<'MigrationValidated'>;
      const found = validated.data.checks.find((c) => c.name === check);
      expect(found?.outcome).toBe('failed');
      expect(found?.detail).toMatch(detail);
      await eventually(
        async () => (await sentCommands('ferry.cmd.rollback.run')).some((c) => c.jobId === jobId),
        `rollback of ${key} asked for`,
      );
    }
  });

  it('cancels an active job (a failure the operator asked for), and refuses to retry one that is not rolled back', async () => {
    const alpha = await vmKey('alpha');
    const jobId = jobIdFor('create-1', alpha);
    await publishCommand(jetstream(nc), {
      type: 'CancelMigration',
      data: { jobId, reason: 'wrong VM' },
      metadata: { commandId: 'cancel-1' },
    });
    await eventually(
      async () => (await jobEvents(jobId)).some((e) => e.type === 'MigrationFailed'),
      'cancelled',
    );
    const failed = (await jobEvents(jobId)).find(
      (e) => e.type === 'MigrationFailed',
    ) as EventOf<'MigrationFailed'>;
    expect(failed.data.code).toBe('cancelled');
    expect(
      migrationStatus(
        (fold(migrationDecider, (await jobEvents(jobId)) as never) as { phase: 'FAILED' }).phase,
      ),
    ).toBe('FAILED');

    await publishCommand(jetstream(nc), {
      type: 'RetryMigration',
      data: { jobId },
      metadata: { commandId: 'retry-1' },
    });
    await eventually(
      async () =>
        (await store.read(`rejection-${await rejectionStreamId('retry-1')}`)).events.length > 0,
      'retry refused',
    );
    const [rejected] = (await store.read(`rejection-${await rejectionStreamId('retry-1')}`))
      .events as unknown as EventOf<'CommandRejected'>[];
    expect(rejected?.data.reason).toBe('illegal-state');
    expect(rejected?.data.errors[0]?.message).toMatch(/rolled-back/);
  });
});
