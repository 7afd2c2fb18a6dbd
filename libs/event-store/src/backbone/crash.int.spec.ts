import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { STREAMS } from '@ferry/contracts';
import { migrationDecider, type MigrationCommand } from '@ferry/domain';
import { publishCommand } from '@ferry/messaging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleCommand } from '../command-handler.ts';
import { JetStreamEventStore } from '../jetstream/jetstream-event-store.ts';
import { natsWithStreams } from '../testing/nats-fixture.ts';

const worker = join(import.meta.dirname, '..', 'testing', 'convert-worker.ts');
const context = (commandId: string) => ({
  commandId,
  correlationId: commandId,
  now: '2026-11-25T10:00:00Z',
});
const vm = {
  key: 'ws-a',
  name: 'a',
  source: { kind: 'workstation', id: '/vms' },
  cpus: 1,
  memoryMiB: 512,
  firmware: 'bios',
  secureBoot: false,
  guestOs: 'other',
  powerState: 'poweredOff',
  hasSnapshots: false,
  disks: [],
  nics: [],
} as const;

/** A worker process and the lines it has printed so far. */
function startWorker(url: string) {
  const lines: string[] = [];
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=ferry-source', worker, url, '2000', '1500'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (b: Buffer) => lines.push(...b.toString().trim().split('\n')));
  child.stderr?.on('data', (b: Buffer) => process.stderr.write(b));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    lines,
    waitFor: async (prefix: string, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!lines.some((l) => l.startsWith(prefix))) {
        if (Date.now() > deadline)
          throw new Error(`worker never printed ${prefix}; it printed ${JSON.stringify(lines)}`);
        if (child.exitCode !== null)
          throw new Error(`worker exited (${child.exitCode}) before ${prefix}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    kill: async (signal: NodeJS.Signals) => {
      child.kill(signal);
      await exited;
    },
  };
}

describe('a service process killed with SIGKILL mid-handling', () => {
  let nats: Awaited<ReturnType<typeof natsWithStreams>>;
  let store: JetStreamEventStore;
  beforeAll(async () => {
    nats = await natsWithStreams();
    store = new JetStreamEventStore(await nats.connect());
  });
  afterAll(async () => nats.close());

  /** A job ready to convert (DISCOVERED), with conversion as a dry run. */
  async function discoveredJob(jobId: string) {
    const stream = `migration-${jobId}`;
    const create: MigrationCommand = {
      type: 'CreateMigration',
      data: {
        jobId,
        vmKey: vm.key,
        vmName: vm.name,
        source: vm.source,
        options: {
          strategy: 'qemu-img',
          bootMode: 'image',
          flavor: null,
          networkMapping: {},
          keepMac: false,
        },
        flags: { realConversion: false, openstackDeployment: false, rollback: true },
      },
      metadata: context(`${jobId}-create`),
    };
    await handleCommand(store, migrationDecider, stream, create);
    await handleCommand(store, migrationDecider, stream, {
      type: 'RecordValidation',
      data: { vm, checks: [{ name: 'disks-present', outcome: 'passed', detail: 'ok' }] },
      metadata: context(`${jobId}-validate`),
    });
    return stream;
  }

  for (const killPoint of ['STARTED', 'APPENDED'] as const) {
    it(`killed at ${killPoint === 'STARTED' ? 'mid-work (first events appended)' : 'after its last append, before the ack'}: redelivered after restart, its events stored exactly once`, async () => {
      const jobId = `job-${killPoint.toLowerCase()}`;
      const stream = await discoveredJob(jobId);
      const first = startWorker(nats.server.url);
      await first.waitFor('LISTENING');
      const nc = await nats.connect();
      await publishCommand(jetstream(nc), {
        type: 'ConvertDisks',
        data: { jobId },
        metadata: { commandId: `convert-${jobId}` },
      });
      await first.waitFor(killPoint);
      await first.kill('SIGKILL');

      const second = startWorker(nats.server.url);
      await second.waitFor(`APPENDED convert-${jobId}`);
      await second.waitFor('LISTENING');
      const jsm = await jetstreamManager(nc);
      const deadline = Date.now() + 10_000;
      while ((await jsm.streams.info(STREAMS.commands)).state.messages > 0) {
        if (Date.now() > deadline) throw new Error('the command was never acked');
        await new Promise((r) => setTimeout(r, 50));
      }
      await second.kill('SIGTERM');

      const { events } = await store.read(stream);
      expect(events.map((e) => e.type)).toEqual([
        'MigrationCreated',
        'MigrationValidated',
        'ConversionStarted',
        'ConversionCompleted',
      ]);
      // the second process really did run the redelivered command
      expect(second.lines).toContain(`STARTED convert-${jobId}`);
    });
  }
});
