import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { STREAMS } from '@ferry/contracts';
import { publishCommand } from '@ferry/messaging';
import { eventually } from '@ferry/testing';
import { describe, expect, it } from 'vitest';
import { discoveredJob } from '../testing/migration-commands.ts';
import { storeOnRealNats } from '../testing/nats-fixture.ts';

const worker = join(import.meta.dirname, '..', 'testing', 'convert-worker.ts');

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
    waitFor: (prefix: string) =>
      eventually(
        () => {
          if (child.exitCode !== null)
            throw new Error(
              `worker exited (${child.exitCode}) before ${prefix}: ${JSON.stringify(lines)}`,
            );
          return lines.some((l) => l.startsWith(prefix));
        },
        `the worker to print ${prefix}`,
        { timeoutMs: 20_000 },
      ),
    kill: async (signal: NodeJS.Signals) => {
      child.kill(signal);
      await exited;
    },
  };
}

describe('a service process killed with SIGKILL mid-handling', () => {
  const fixture = storeOnRealNats();

  for (const killPoint of ['STARTED', 'APPENDED'] as const) {
    it(`killed at ${killPoint === 'STARTED' ? 'mid-work (first events appended)' : 'after its last append, before the ack'}: redelivered after restart, its events stored exactly once`, async () => {
      const jobId = `job-${killPoint.toLowerCase()}`;
      // conversion as a dry run: the worker records the command it would run
      const stream = await discoveredJob(fixture.store, jobId, {
        flags: { realConversion: false, openstackDeployment: false, rollback: true },
      });
      const first = startWorker(fixture.nats.server.url);
      await first.waitFor('LISTENING');
      const nc = await fixture.nats.connect();
      await publishCommand(jetstream(nc), {
        type: 'ConvertDisks',
        data: { jobId },
        metadata: { commandId: `convert-${jobId}` },
      });
      await first.waitFor(killPoint);
      await first.kill('SIGKILL');

      const second = startWorker(fixture.nats.server.url);
      await second.waitFor(`APPENDED convert-${jobId}`);
      await second.waitFor('LISTENING');
      const jsm = await jetstreamManager(nc);
      await eventually(
        async () => (await jsm.streams.info(STREAMS.commands)).state.messages === 0,
        'the command to be acked',
      );
      await second.kill('SIGTERM');

      const { events } = await fixture.store.read(stream);
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
