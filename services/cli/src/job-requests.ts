import { parseArgs } from 'node:util';
import { validateCommand, type CommandOf } from '@ferry/contracts';
import { jobRequestAnswer } from '@ferry/event-store';
import { cliActor, publishCommand } from '@ferry/messaging';
import { document, FORMAT_FLAGS, formatOf } from './format.ts';
import { natsCommand, UsageError } from './nats.ts';
import { OPTION_FLAGS, optionsOf } from './options.ts';

type JobRequest =
  CommandOf<'CancelMigration'> | CommandOf<'RetryMigration'> | CommandOf<'RerunRollback'>;

/** At most this many jobs in one call: a whole wave, not the whole estate by mistake. */
const MAX_JOBS = 500;

interface Request {
  readonly type: JobRequest['type'];
  /** What an accepted request starts, said after the job's id. */
  readonly accepted: string;
  readonly reason: string;
  /** Whether the request takes the options of `ferry migrate` (edit and retry). */
  readonly options: boolean;
}

/** What cancel, retry and rollback take (only retry the job's options). */
export const REQUEST_FLAGS = {
  ...FORMAT_FLAGS,
  reason: { type: 'string' },
  timeout: { type: 'string', default: '30' },
  ...OPTION_FLAGS,
} as const;

/**
 * `ferry cancel|retry|rollback <job-id>...`: one request per job, sent together, each job's answer
 * printed. Exit 0: every one accepted; 2: usage (nothing sent); 3: one refused or unanswered, or
 * NATS unreachable.
 */
const jobRequest = (name: string, request: Request) =>
  natsCommand(
    name,
    (args) => {
      // Every request parses the option flags; only a retry may give them.
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: REQUEST_FLAGS,
      });
      const given = Object.keys(OPTION_FLAGS).filter((flag) => flag in values);
      if (!request.options && given.length > 0)
        throw new UsageError(`--${given[0]}: only ferry retry takes a job's options`);
      if (positionals.length === 0)
        throw new UsageError('give at least one job id (see ferry jobs)');
      if (positionals.length > MAX_JOBS)
        throw new UsageError(`at most ${MAX_JOBS} jobs at once, not ${positionals.length}`);
      const timeout = Number(values.timeout);
      if (!Number.isFinite(timeout) || timeout <= 0)
        throw new UsageError(`--timeout: seconds, not '${values.timeout}'`);
      const options = optionsOf(values);
      const commands = [...new Set(positionals)].map((jobId) => {
        const command = {
          type: request.type,
          data: {
            jobId,
            reason: values.reason || request.reason,
            ...(Object.keys(options).length > 0 && { options }),
          },
          metadata: {
            commandId: crypto.randomUUID(),
            issuedAt: new Date().toISOString(),
            actor: cliActor(),
          },
        } as JobRequest;
        // Checked here too, so that a bad command line is a usage error and nothing is sent.
        const checked = validateCommand(command);
        if (!checked.ok)
          throw new UsageError(
            checked.errors.map((e) => `${e.path || '(command)'} ${e.message}`).join('; '),
          );
        return command;
      });
      return { commands, format: formatOf(values), timeoutMs: timeout * 1000 };
    },
    async ({ commands, format, timeoutMs }, { js, store }) => {
      const answers = await Promise.all(
        commands.map(async (command) => {
          await publishCommand(js, command);
          const { jobId } = command.data;
          const { commandId } = command.metadata;
          return {
            jobId,
            commandId,
            answer: await jobRequestAnswer(store, jobId, commandId, timeoutMs),
          };
        }),
      );
      const results = answers.map(({ jobId, commandId, answer }) =>
        answer === undefined
          ? {
              jobId,
              commandId,
              outcome: 'unanswered' as const,
              message: `command ${commandId} sent, but no answer within ${timeoutMs / 1000} s: is the jobs service running?`,
            }
          : answer.type === 'CommandRejected'
            ? {
                jobId,
                commandId,
                outcome: 'refused' as const,
                reason: answer.data.reason,
                message: answer.data.errors.map((e) => e.message).join('; '),
              }
            : { jobId, commandId, outcome: 'accepted' as const, message: request.accepted },
      );
      const code = results.every((r) => r.outcome === 'accepted') ? 0 : 3;
      if (format !== 'table') {
        process.stdout.write(document(format, { requests: results }));
        return code;
      }
      for (const r of results) {
        if (r.outcome === 'accepted')
          process.stdout.write(
            `job ${r.jobId}: ${r.message} (command ${r.commandId}); follow it with ferry job ${r.jobId}\n`,
          );
        else if (r.outcome === 'refused')
          process.stderr.write(
            `ferry ${name}: job ${r.jobId} refused (${r.reason}): ${r.message}\n`,
          );
        else process.stderr.write(`ferry ${name}: job ${r.jobId}: ${r.message}\n`);
      }
      return code;
    },
  );

export const cancel = jobRequest('cancel', {
  type: 'CancelMigration',
  accepted: 'cancelled, it is rolled back',
  reason: 'cancelled with ferry cancel',
  options: false,
});

export const retry = jobRequest('retry', {
  type: 'RetryMigration',
  accepted: 'a new attempt begins',
  reason: 'retried with ferry retry',
  options: true,
});

export const rollback = jobRequest('rollback', {
  type: 'RerunRollback',
  accepted: 'its rollback runs again',
  reason: 'asked for again with ferry rollback',
  options: false,
});
