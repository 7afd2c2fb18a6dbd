import { mkdir, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { Artifact } from '@ferry/contracts';
import {
  ConversionError,
  convertCommand,
  qemuImgCheck,
  qemuImgConvert,
  qemuImgInfo,
} from '@ferry/converters';
import { fold, migrationDecider, type CommandContext, type MigrationCommand } from '@ferry/domain';
import { handleCommand, type EventStore } from '@ferry/event-store';
import { CommandRejectedError } from '@ferry/messaging';
import { allocatedSize, isIntact, readManifest, sha256File, writeManifest } from './artifacts.ts';
import type { Cancellations } from './cancellations.ts';

export interface ConvertDeps {
  readonly store: EventStore;
  /** Stops a conversion whose job is cancelled. */
  readonly cancellations?: Cancellations;
  readonly outputDir: string;
  readonly timeoutMs: number;
  /** Ends a running conversion (the job was cancelled, or the service is stopping). */
  readonly signal?: AbortSignal;
  readonly now?: () => string;
}

// Progress is recorded when it moved a whole percent, or 2 s after the last record; and at 100.
const PROGRESS_STEP = 1;
const PROGRESS_INTERVAL_MS = 2_000;

/**
 * Converts every disk of a job's VM to qcow2, recording it on the job: started (with the exact
 * commands), progress per disk, completed (artifacts with sizes and sha256), or failed with a typed
 * reason. A dry run records the commands it would run and converts nothing. A retry reuses an
 * artifact the manifest says is complete and that is still intact.
 */
export async function convertJob(
  deps: ConvertDeps,
  jobId: string,
  context: CommandContext,
): Promise<void> {
  const stream = `migration-${jobId}`;
  const now = deps.now ?? (() => new Date().toISOString());
  const step = (name: string): CommandContext => ({
    ...context,
    commandId: `${context.commandId}:${name}`.slice(0, 128),
    now: now(),
  });
  const decide = (command: MigrationCommand) =>
    handleCommand(deps.store, migrationDecider, stream, command);

  const state = fold(migrationDecider, (await deps.store.read(stream)).events as never);
  if (state.phase === 'Empty') throw new CommandRejectedError('not-found', `no job ${jobId}`);
  if (state.phase !== 'DISCOVERED' && state.phase !== 'CONVERTING') return; // done already, or moved on
  const { job } = state;
  const vm = job.vm;
  if (!vm) throw new CommandRejectedError('illegal-state', `job ${jobId} has not been validated`);
  const dir = join(deps.outputDir, jobId);
  const disks = vm.disks.map((d) => ({
    diskIndex: d.index,
    path: d.path,
    capacityBytes: d.capacityBytes,
    target: join(dir, `disk-${d.index}.qcow2`),
  }));
  const commands = disks.map((d) =>
    convertCommand({ source: d.path, sourceFormat: 'vmdk', target: d.target }),
  );
  const started = Date.now();

  const tracked = deps.cancellations?.track(jobId, deps.signal);
  const signal = tracked?.signal ?? deps.signal;
  try {
    if (state.phase === 'DISCOVERED') {
      await decide({
        type: 'StartConversion',
        data: {
          strategy: 'qemu-img',
          commands,
          disks: disks.map(({ diskIndex, path, capacityBytes }) => ({
            diskIndex,
            path,
            capacityBytes,
          })),
        },
        metadata: step('start'),
      });
    }
    if (!job.flags.realConversion) {
      await decide({
        type: 'CompleteConversion',
        data: { artifacts: [], reused: false, durationMs: Date.now() - started },
        metadata: step('complete'),
      });
      return;
    }

    try {
      await mkdir(dir, { recursive: true });
      const manifest = await readManifest(dir);
      const artifacts: Artifact[] = [];
      let reused = true;
      await requireSpace(
        dir,
        disks.map((d) => d.path),
      );
      for (const disk of disks) {
        const earlier = manifest.find(
          (a) => a.diskIndex === disk.diskIndex && a.path === disk.target,
        );
        if (earlier && (await isIntact(earlier))) {
          artifacts.push(earlier);
          continue;
        }
        reused = false;
        let recorded = -1;
        let recordedAt = 0;
        let chain = Promise.resolve();
        await qemuImgConvert({
          source: disk.path,
          sourceFormat: 'vmdk',
          target: disk.target,
          timeoutMs: deps.timeoutMs,
          ...(signal ? { signal } : {}),
          onProgress: (percent) => {
            const due =
              percent === 100 ||
              percent - recorded >= PROGRESS_STEP ||
              Date.now() - recordedAt >= PROGRESS_INTERVAL_MS;
            if (!due || percent <= recorded) return;
            recorded = percent;
            recordedAt = Date.now();
            const p = Math.floor(percent);
            // Progress is informational: a record refused (the job was cancelled meanwhile) or lost
            // (the store briefly away) must not fail the conversion; the completion is what counts.
            chain = chain.then(() =>
              decide({
                type: 'RecordConversionProgress',
                data: { diskIndex: disk.diskIndex, percent },
                metadata: step(`progress:${disk.diskIndex}:${p}`),
              }).then(
                () => undefined,
                () => undefined,
              ),
            );
          },
        });
        await chain;
        const check = await qemuImgCheck(disk.target);
        if (check.exitCode !== 0)
          throw new ConversionError(
            'tool-failed',
            `the converted image of disk ${disk.diskIndex} fails qemu-img check (${check.corruptions} corruptions, ${check.leaks} leaks)`,
            commands[disk.diskIndex] ?? [],
          );
        const info = await qemuImgInfo(disk.target, 'qcow2');
        const artifact: Artifact = {
          diskIndex: disk.diskIndex,
          path: disk.target,
          format: 'qcow2',
          virtualSize: info.virtualSize,
          allocatedSize: await allocatedSize(disk.target),
          sha256: await sha256File(disk.target),
        };
        artifacts.push(artifact);
        await writeManifest(dir, [
          ...manifest.filter((a) => a.diskIndex !== disk.diskIndex),
          ...artifacts,
        ]);
      }
      await decide({
        type: 'CompleteConversion',
        data: {
          artifacts,
          reused: reused && artifacts.length > 0,
          durationMs: Date.now() - started,
        },
        metadata: step('complete'),
      });
    } catch (error) {
      if (!(error instanceof ConversionError)) throw error; // transient (store, NATS): the command is retried
      // Cancelled by the operator: the cancel itself recorded the failure; nothing more to say.
      if (error.reason === 'cancelled' && tracked?.cancelled()) return;
      // Stopped because the service is stopping: not the job's failure; the command comes back to a replica.
      if (error.reason === 'cancelled' && deps.signal?.aborted) throw error;
      await decide({
        type: 'FailMigration',
        data: {
          stage: 'conversion',
          code: error.reason,
          message: error.message.slice(0, 4000),
          retryable: error.retryable,
        },
        metadata: step('fail'),
      });
    }
  } finally {
    tracked?.done();
  }
}

/** Refuses to start when the output folder cannot hold the disks' data. */
async function requireSpace(dir: string, sources: readonly string[]): Promise<void> {
  let needed = 0;
  for (const source of sources) needed += (await qemuImgInfo(source, 'vmdk')).actualSize;
  const fs = await statfs(dir);
  const free = fs.bavail * fs.bsize;
  if (free < needed)
    throw new ConversionError(
      'no-space',
      `${dir} has ${free} bytes free; the disks hold ${needed}`,
      ['qemu-img', 'info'],
    );
}
