import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConversionError } from '@ferry/converters';
import type { CommandContext } from '@ferry/domain';
import { CommandRejectedError, toolLogWriter } from '@ferry/messaging';
import { redactText } from '@ferry/observability';
import {
  runStage,
  type Delivery,
  type StageDefinition,
  type StageRun,
  type StageRunnerDeps,
} from '@ferry/stages';
import { libvirtDomain, type VsphereConnection } from '@ferry/vmware';
import { describeArtifact, intactArtifacts, writeManifest } from './artifacts.ts';
import { asConversionError, fetchFromDatastore, streamedDisks } from './fetch-source.ts';
import { outputFolder } from './output-folder.ts';
import { reserveSpace } from './space-reservation.ts';
import { progressRecorder } from './progress-recorder.ts';
import { jobDisks } from './job-disks.ts';
import { chooseStrategy, planOf } from './strategies.ts';

export interface ConvertDeps {
  /** What the stage runner needs: the store, NATS, leases, the service's stopping signal. */
  readonly runner: StageRunnerDeps;
  readonly outputDir: string;
  /** FERRY_HOST: recorded on ConversionCompleted, so that the upload is routed to this host. */
  readonly host: string;
  readonly timeoutMs: number;
  /** The ESXi host and vCenter this service may fetch disks from (VMWARE_ESXI_*, VMWARE_VCENTER_*). */
  readonly vsphere?: readonly VsphereConnection[];
  /** VIRTIO_WIN: the drivers virt-v2v gives Windows guests. */
  readonly virtioWin?: string;
}

/** Conversion, as the stage runner runs it: leased when it converts for real. */
export const CONVERSION: StageDefinition = {
  stage: 'conversion',
  leased: (job) => job.flags.realConversion,
  failureOf: (error) =>
    error instanceof ConversionError
      ? { code: error.reason, message: error.message, retryable: error.retryable }
      : undefined,
};

/**
 * Converts every disk of a job's VM to qcow2, recording it on the job: started (with the exact
 * commands), progress per disk, completed (artifacts with their sizes and mtime), or failed with a typed
 * reason. A dry run records the commands it would run and converts nothing. A retry reuses an
 * artifact the manifest says is complete and that is still intact.
 */
export function convertJob(
  deps: ConvertDeps,
  jobId: string,
  context: CommandContext,
  delivery: Delivery,
): Promise<void> {
  return runStage(deps.runner, CONVERSION, jobId, context, delivery, (run) => convert(deps, run));
}

async function convert(
  deps: ConvertDeps,
  { state, decide, signal, progress }: StageRun,
): Promise<void> {
  const { job } = state;
  const vm = job.vm;
  if (!vm)
    throw new CommandRejectedError('illegal-state', `job ${job.jobId} has not been validated`);
  const dir = join(deps.outputDir, job.jobId);
  const layout = jobDisks(vm, dir);
  const strategy = await chooseStrategy(job.options.strategy, layout.vmx);
  const intact = job.flags.realConversion ? await intactArtifacts(dir, layout.disks, signal) : [];
  const wanted = layout.disks.filter((d) => !intact.some((a) => a.diskIndex === d.diskIndex));
  // A datastore's disks are read where they lie, over a loopback stream: no local copy. virt-v2v
  // converts the guest whole, so it reads every disk.
  const stream =
    job.flags.realConversion && layout.onDatastore && wanted.length
      ? await streamedDisks(
          deps,
          vm,
          strategy === 'virt-v2v' ? layout.disks : wanted,
          signal,
          strategy,
        )
      : undefined;
  try {
    const { disks, vmx, copies } = stream ? jobDisks(vm, dir, stream.sources) : layout;
    const fetches = layout.onDatastore && !stream;
    const guest =
      stream && strategy === 'virt-v2v'
        ? { domain: libvirtDomain(vm, new Map([...stream.sources].map(([i, s]) => [i, s.url]))) }
        : vmx !== undefined
          ? { vmx }
          : undefined;
    const plan = planOf(strategy, guest, disks, dir, deps.virtioWin);
    const started = Date.now();

    if (state.phase === 'DISCOVERED') {
      await decide(
        {
          type: 'StartConversion',
          data: {
            strategy: plan.strategy,
            commands: plan.commands,
            disks: disks.map(({ diskIndex, path, capacityBytes }) => ({
              diskIndex,
              path,
              capacityBytes,
            })),
          },
        },
        'start',
      );
    }
    if (!job.flags.realConversion) {
      await decide(
        {
          type: 'CompleteConversion',
          data: {
            artifacts: [],
            reused: false,
            durationMs: Date.now() - started,
            host: deps.host,
          },
        },
        'complete',
      );
      return;
    }
    const todo = disks.filter((d) => wanted.some((w) => w.diskIndex === d.diskIndex));
    const recorder = progressRecorder((command, key) => decide(command, key));
    const onProgress = (diskIndex: number, percent: number) => {
      progress();
      recorder.progress(diskIndex, percent);
    };
    try {
      await outputFolder(dir);
      const artifacts = [...intact];
      if (todo.length > 0) {
        // From a copy, fetching is the first half of each disk's progress, converting the second.
        const share = fetches ? 0.5 : 1;
        if (fetches) {
          const fetched = new Set(todo.map((d) => d.diskIndex));
          await fetchFromDatastore(
            deps,
            { ...vm, disks: vm.disks.filter((d) => fetched.has(d.index)) },
            copies,
            { signal, onProgress: (d, fraction) => onProgress(d, fraction * 100 * share) },
          );
        }
        const release = await reserveSpace(deps.outputDir, job.jobId, todo, {
          signal,
          progress,
          onWait: (message) => deps.runner.logger?.info({ jobId: job.jobId }, message),
        });
        // virt-v2v tells its progress only while it copies: while it inspects and converts the guest
        // (minutes under emulation) its running process is its sign of life, bounded by its timeout.
        const alive = plan.strategy === 'virt-v2v' ? setInterval(progress, 10_000) : undefined;
        const log = toolLogWriter(deps.runner.nc, job.jobId, (error) =>
          deps.runner.logger?.warn({ err: error, jobId: job.jobId }, 'a tool log batch was lost'),
        );
        try {
          await plan.convert(todo, {
            signal,
            timeoutMs: deps.timeoutMs,
            onProgress: (d, p) => onProgress(d, 100 - share * 100 + p * share),
            // A tool may echo what it was given: a URL with a password never reaches the log.
            onOutput: (line) => log.add({ ...line, text: redactText(line.text) }),
          });
        } finally {
          clearInterval(alive);
          await log.close();
          await release();
        }
        await recorder.flushed();
        for (const disk of todo) {
          progress();
          artifacts.push(await describeArtifact(disk, plan, signal));
          await writeManifest(dir, artifacts);
        }
        // The copies served their purpose: the artifacts are what a retry reuses.
        if (fetches) await rm(copies, { recursive: true, force: true });
      }
      artifacts.sort((a, b) => a.diskIndex - b.diskIndex);
      await decide(
        {
          type: 'CompleteConversion',
          data: {
            artifacts,
            reused: todo.length === 0 && artifacts.length > 0,
            durationMs: Date.now() - started,
            host: deps.host,
          },
        },
        'complete',
      );
    } finally {
      await recorder.flushed();
    }
  } catch (error) {
    // qemu-img only sees that a read failed: what the datastore said is the reason.
    throw stream?.lastError !== undefined && !signal.aborted
      ? asConversionError(stream.lastError)
      : error;
  } finally {
    await stream?.close();
  }
}
