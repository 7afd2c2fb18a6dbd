import { parseArgs } from 'node:util';
import { SOURCE_KINDS, validateCommand, type CommandOf, type SourceRef } from '@ferry/contracts';
import { refreshAnswer } from '@ferry/event-store';
import { cliActor, publishCommand } from '@ferry/messaging';
import { table } from './describe.ts';
import { document, FORMAT_FLAGS, formatOf } from './format.ts';
import { natsCommand, UsageError } from './nats.ts';

export const REFRESH_FLAGS = {
  ...FORMAT_FLAGS,
  source: { type: 'string' },
  timeout: { type: 'string', default: '120' },
} as const;

/** `--source KIND:ID`, as the inventory names a source (`esxi:esx1.example.com`). */
function sourceOf(value: string): SourceRef {
  const at = value.indexOf(':');
  const kind = value.slice(0, at);
  if (at < 1 || !(SOURCE_KINDS as readonly string[]).includes(kind) || at === value.length - 1)
    throw new UsageError(
      `--source: KIND:ID with KIND one of ${SOURCE_KINDS.join(', ')}, not '${value}'`,
    );
  return { kind: kind as SourceRef['kind'], id: value.slice(at + 1) };
}

/**
 * `ferry refresh`: asks the discovery service to read every source again (or the one named) and
 * waits until it has. Exit 0: every source answered; 1: one did not (its VMs are stale); 3: refused,
 * no answer in time, or NATS unreachable.
 */
export const refresh = natsCommand(
  'refresh',
  (args) => {
    const { values } = parseArgs({ args, options: REFRESH_FLAGS });
    const timeout = Number(values.timeout);
    if (!Number.isFinite(timeout) || timeout <= 0)
      throw new UsageError(`--timeout: seconds, not '${values.timeout}'`);
    const command: CommandOf<'RefreshInventory'> = {
      type: 'RefreshInventory',
      data: values.source === undefined ? {} : { source: sourceOf(values.source) },
      metadata: {
        commandId: crypto.randomUUID(),
        issuedAt: new Date().toISOString(),
        actor: cliActor(),
      },
    };
    const checked = validateCommand(command);
    if (!checked.ok)
      throw new UsageError(checked.errors.map((e) => `${e.path} ${e.message}`).join('; '));
    return { command, format: formatOf(values), timeoutMs: timeout * 1000 };
  },
  async ({ command, format, timeoutMs }, { js, store }) => {
    await publishCommand(js, command);
    const { commandId } = command.metadata;
    const answer = await refreshAnswer(store, commandId, timeoutMs);
    if (answer === undefined) {
      process.stderr.write(
        `ferry refresh: command ${commandId} sent, but no answer within ${timeoutMs / 1000} s: is the discovery service running?\n`,
      );
      return 3;
    }
    if (answer.type === 'CommandRejected') {
      const why = answer.data.errors.map((e) => e.message).join('; ');
      process.stderr.write(`ferry refresh: refused (${answer.data.reason}): ${why}\n`);
      return 3;
    }
    const { sources } = answer.data;
    if (format !== 'table') process.stdout.write(document(format, { commandId, sources }));
    else
      process.stdout.write(
        table([
          ['SOURCE', 'ID', 'OUTCOME', 'CHANGES'],
          ...sources.map((s) => [
            s.source.kind,
            s.source.id,
            s.error === undefined ? 'refreshed' : `unreachable: ${s.error}`,
            String(s.recorded),
          ]),
        ]),
      );
    return sources.some((s) => s.error !== undefined) ? 1 : 0;
  },
);
