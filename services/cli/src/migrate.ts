import { parseArgs } from 'node:util';
import { validateCommand, type CommandOf } from '@ferry/contracts';
import { createMigrationsAnswer } from '@ferry/event-store';
import { cliActor, publishCommand } from '@ferry/messaging';
import { follow } from './follow.ts';
import { natsCommand, UsageError } from './nats.ts';
import { OPTION_FLAGS, optionsOf } from './options.ts';
import { FORMAT_FLAGS, formatOf, record } from './format.ts';

/**
 * `ferry migrate <vm-key>...`: sends CreateMigrations, prints the jobs created and the VMs skipped,
 * and with `--wait` follows every job to its end. Exit 0: sent (with --wait: every job VERIFIED);
 * 1: a job failed or was rolled back, a VM key is unknown, or the target's quotas cannot hold the
 * selection (a VM skipped for its active job is not an error: asking again is how a script makes
 * sure); 2: usage; 3: rejected, unanswered or NATS unreachable.
 */
export const migrate = natsCommand(
  'migrate',
  parse,
  async ({ command, wait, format, timeoutMs }, { js, store }) => {
    const json = format !== 'table';
    await publishCommand(js, command);
    const answer = await createMigrationsAnswer(store, command.metadata.commandId, timeoutMs);
    if (answer === undefined) {
      process.stderr.write(
        `ferry migrate: command ${command.metadata.commandId} sent, but no answer within ${timeoutMs / 1000} s: is the jobs service running?\n`,
      );
      return 3;
    }
    if (format !== 'table') process.stdout.write(record(format, answer));
    if (answer.type === 'CommandRejected') {
      const { reason, errors } = answer.data;
      if (!json)
        process.stderr.write(
          `ferry migrate: rejected (${reason})${errors.map((e) => `\n  ${e.path || '(command)'}: ${e.message}`).join('')}\n`,
        );
      return 3;
    }
    const { jobs, skipped } = answer.data;
    if (!json) {
      process.stdout.write(
        `command ${command.metadata.commandId}: ${jobs.length} job(s) created, ${skipped.length} VM(s) skipped\n`,
      );
      for (const j of jobs) process.stdout.write(`created  ${j.jobId}  ${j.vmKey}\n`);
      for (const s of skipped)
        process.stdout.write(
          `skipped  ${s.vmKey}  ${s.reason === 'active-job' ? `has an active job ${s.activeJobId ?? ''}` : s.reason === 'quota-exceeded' ? (s.detail ?? 'quota exceeded') : 'unknown VM'}\n`,
        );
    }
    // An unknown VM, or a selection the target cannot hold, is not what was asked for.
    const refused = skipped.some((s) => s.reason === 'unknown-vm' || s.reason === 'quota-exceeded');
    if (!wait || jobs.length === 0) return refused ? 1 : 0;
    const views = await follow(store, jobs, answer.position, format);
    if (!json)
      for (const v of views)
        process.stdout.write(
          `${v.job.jobId}  ${v.job.vmKey}  ${v.state}${v.dryRun ? ' (DRY RUN: nothing was really migrated)' : ''}${v.failure ? `  ${v.failure.code}: ${v.failure.message}` : ''}\n`,
        );
    return views.every((v) => v.state === 'VERIFIED') && !refused ? 0 : 1;
  },
);

export const MIGRATE_FLAGS = {
  wait: { type: 'boolean', default: false },
  ...FORMAT_FLAGS,
  ...OPTION_FLAGS,
  'command-id': { type: 'string' },
  timeout: { type: 'string', default: '30' },
} as const;

function parse(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: MIGRATE_FLAGS,
  });
  if (positionals.length === 0)
    throw new UsageError('give at least one VM key (see ferry discover)');
  const timeout = Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0)
    throw new UsageError(`--timeout: seconds, not '${values.timeout}'`);
  const options = optionsOf(values);
  const command: CommandOf<'CreateMigrations'> = {
    type: 'CreateMigrations',
    data: { vmKeys: positionals, ...(Object.keys(options).length > 0 && { options }) },
    metadata: {
      commandId: values['command-id'] ?? crypto.randomUUID(),
      issuedAt: new Date().toISOString(),
      actor: cliActor(),
    },
  };
  // Checked here too, so that a bad command line is a usage error and nothing is sent.
  const checked = validateCommand(command);
  if (!checked.ok)
    throw new UsageError(
      checked.errors.map((e) => `${e.path || '(command)'} ${e.message}`).join('; '),
    );
  return { command, wait: values.wait, format: formatOf(values), timeoutMs: timeout * 1000 };
}
