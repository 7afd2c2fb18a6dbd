import { parseArgs } from 'node:util';
import {
  MIGRATION_STATES,
  type MigrationEvent,
  type MigrationState,
  migrationStream,
} from '@ferry/contracts';
import { evolveJobView, initialJobView, type JobView } from '@ferry/domain';
import { rebuildProjection, streamView } from '@ferry/event-store';
import { describeEvent } from '@ferry/domain';
import { actorName, table } from './describe.ts';
import { natsCommand, oneJobId, UsageError } from './nats.ts';
import { document, FORMAT_FLAGS, formatOf } from './format.ts';

export const JOBS_FLAGS = { ...FORMAT_FLAGS, state: { type: 'string' } } as const;
export const JOB_FLAGS = FORMAT_FLAGS;

/** `ferry jobs`: every job with its state, as a table or JSON; `--state` keeps one state. */
export const jobs = natsCommand(
  'jobs',
  (args) => {
    const { values } = parseArgs({
      args,
      options: JOBS_FLAGS,
    });
    const state = values.state?.toUpperCase();
    if (state !== undefined && !MIGRATION_STATES.includes(state as MigrationState))
      throw new UsageError(`--state: one of ${MIGRATION_STATES.join(', ')}`);
    return { format: formatOf(values), state };
  },
  async (values, { store }) => {
    const { state } = values;
    const view = streamView<MigrationEvent, JobView | null>({
      name: 'ferry-jobs',
      accepts: (stream) => stream.startsWith('migration-'),
      initialState: initialJobView,
      evolve: evolveJobView,
    });
    await rebuildProjection(store, view.projection, { category: 'migration' });
    const rows = [...view.states.values()]
      .flatMap(({ state: v }) => (v === null ? [] : [v]))
      .filter((v) => state === undefined || v.state === state)
      .sort(
        (a, b) => a.createdAt.localeCompare(b.createdAt) || a.job.jobId.localeCompare(b.job.jobId),
      );
    const summaries = rows.map((v) => ({
      jobId: v.job.jobId,
      vmName: v.job.vmName,
      vmKey: v.job.vmKey,
      state: v.state,
      dryRun: v.dryRun,
      attempt: v.job.attempt,
      updatedAt: v.updatedAt,
      imageId: v.job.imageId,
      serverId: v.job.serverId,
      failureCode: v.failure?.code ?? null,
    }));
    if (values.format !== 'table') {
      process.stdout.write(document(values.format, { jobs: summaries }));
      return 0;
    }
    process.stdout.write(
      table([
        ['JOB', 'VM', 'STATE', 'ATTEMPT', 'UPDATED', 'IMAGE', 'SERVER', 'FAILURE'],
        ...summaries.map((s) => [
          s.jobId,
          `${s.vmName} (${s.vmKey})`,
          s.dryRun ? `${s.state} (dry run)` : s.state,
          String(s.attempt),
          s.updatedAt,
          s.imageId ?? '-',
          s.serverId ?? '-',
          s.failureCode ?? '-',
        ]),
      ]),
    );
    return 0;
  },
);

/** `ferry job <id>`: the job's summary and its every event; exit 1 when there is no such job. */
export const job = natsCommand(
  'job',
  (args) => {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: JOB_FLAGS,
    });
    return { format: formatOf(values), jobId: oneJobId(positionals) };
  },
  async ({ format, jobId }, { store }) => {
    const { events } = await store.read<MigrationEvent>(migrationStream(jobId));
    const view = events.reduce(evolveJobView, initialJobView);
    if (view === null) {
      process.stderr.write(`ferry job: no job ${jobId}\n`);
      return 1;
    }
    if (format !== 'table') {
      process.stdout.write(document(format, { job: view, events }));
      return 0;
    }
    process.stdout.write(summary(view));
    process.stdout.write('\nevents:\n');
    for (const e of events)
      process.stdout.write(
        `  ${e.revision}  ${e.metadata.occurredAt}  ${e.type}  ${describeEvent(e)}  (by ${actorName(e.metadata.actor)})\n    ${JSON.stringify(e.data)}\n`,
      );
    return 0;
  },
);

function summary(v: JobView): string {
  const { job: j } = v;
  const lines = [
    `job       ${j.jobId} (attempt ${j.attempt})`,
    `state     ${v.state}${v.dryRun ? ' (DRY RUN: nothing was really migrated)' : ''}`,
    `vm        ${j.vmName} (${j.vmKey}) from ${j.source.kind} ${j.source.id}`,
    `options   ${JSON.stringify(j.options)}`,
    `flags     ${JSON.stringify(j.flags)}`,
    `created   ${v.createdAt}`,
    `updated   ${v.updatedAt}`,
    'stages:',
    ...v.stages.map(
      (s) =>
        `  ${s.stage.padEnd(12)} ${s.outcome.padEnd(7)} ${s.startedAt} -> ${s.endedAt ?? '...'}${s.durationMs === null ? '' : ` (${(s.durationMs / 1000).toFixed(1)} s)`}`,
    ),
  ];
  if (v.conversion) {
    lines.push(`conversion ${v.conversion.strategy}${v.conversion.dryRun ? ' (dry run)' : ''}:`);
    for (const c of v.conversion.commands) lines.push(`  $ ${c.join(' ')}`);
    for (const d of v.conversion.disks)
      lines.push(
        `  disk ${d.diskIndex} ${d.path}: ${d.percent}%${d.bytesDone === null ? '' : ` (${d.bytesDone} bytes)`}`,
      );
  }
  if (j.artifacts.length > 0) {
    lines.push('artifacts:');
    for (const a of j.artifacts)
      lines.push(
        `  disk ${a.diskIndex} ${a.path} ${a.format} ${a.virtualSize} bytes${a.sha256 ? ` sha256 ${a.sha256}` : ''}${a.imageId ? ` image ${a.imageId} ${a.imageHash}` : ''}`,
      );
  }
  lines.push(`image     ${j.imageId ?? '-'}`, `server    ${j.serverId ?? '-'}`);
  if (j.resources.length > 0)
    lines.push(`resources ${j.resources.map((r) => `${r.kind} ${r.id}`).join(', ')}`);
  if (v.failure)
    lines.push(
      `failure   ${v.failure.stage}: ${v.failure.code}: ${v.failure.message}${v.failure.retryable ? ' (retryable)' : ''}`,
    );
  if (v.rollback) {
    const done = v.rollback.completed;
    lines.push(`rollback  ${done ? `${done.outcome} at ${done.at}` : 'under way'}`);
    for (const s of v.rollback.steps)
      lines.push(`  ${s.resource.kind} ${s.resource.id}: ${s.outcome} (${s.detail})`);
  }
  return `${lines.join('\n')}\n`;
}
