import { parseArgs } from 'node:util';
import { jobRequestAnswer } from '@ferry/event-store';
import { cliActor, publishCommand } from '@ferry/messaging';
import { natsCommand, UsageError } from './nats.ts';

/**
 * `ferry rollback <job-id>`: runs a failed job's rollback again (after one that could not remove
 * everything, or that never finished). Exit 0: accepted; 2: usage; 3: refused, unanswered, or NATS
 * unreachable.
 */
export const rollback = natsCommand(
  'rollback',
  (args) => {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { reason: { type: 'string' }, timeout: { type: 'string', default: '30' } },
    });
    const [jobId, ...more] = positionals;
    if (!jobId || more.length > 0) throw new UsageError('give one job id (see ferry jobs)');
    const timeout = Number(values.timeout);
    if (!Number.isFinite(timeout) || timeout <= 0)
      throw new UsageError(`--timeout: seconds, not '${values.timeout}'`);
    return { jobId, reason: values.reason, timeoutMs: timeout * 1000 };
  },
  async ({ jobId, reason, timeoutMs }, { js, store }) => {
    const commandId = crypto.randomUUID();
    await publishCommand(js, {
      type: 'RerunRollback',
      data: { jobId, reason: reason || 'asked for again with ferry rollback' },
      metadata: { commandId, issuedAt: new Date().toISOString(), actor: cliActor() },
    });
    const answer = await jobRequestAnswer(store, jobId, commandId, timeoutMs);
    if (answer === undefined) {
      process.stderr.write(
        `ferry rollback: command ${commandId} sent, but no answer within ${timeoutMs / 1000} s: is the jobs service running?\n`,
      );
      return 3;
    }
    if (answer.type === 'CommandRejected') {
      const why = answer.data.errors.map((e) => e.message).join('; ');
      process.stderr.write(`ferry rollback: refused (${answer.data.reason}): ${why}\n`);
      return 3;
    }
    process.stdout.write(
      `job ${jobId}: its rollback runs again (command ${commandId}); follow it with ferry job ${jobId}\n`,
    );
    return 0;
  },
);
