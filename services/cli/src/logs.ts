import { parseArgs } from 'node:util';
import { migrationStream } from '@ferry/contracts';
import { readToolLog } from '@ferry/messaging';
import { natsCommand, oneJobId, UsageError } from './nats.ts';
import { FORMAT_FLAGS, formatOf, record } from './format.ts';

export const LOGS_FLAGS = { ...FORMAT_FLAGS, last: { type: 'string' } } as const;

/** `ferry logs JOB`: what virt-v2v and qemu-img said while converting the job's disks. */
export const logs = natsCommand(
  'logs',
  (args) => {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: LOGS_FLAGS,
    });
    const jobId = oneJobId(positionals);
    const last = values.last === undefined ? 2000 : Number(values.last);
    if (!Number.isInteger(last) || last < 1 || last > 2000)
      throw new UsageError('--last: a whole number from 1 to 2000');
    return { format: formatOf(values), jobId, last };
  },
  async ({ format, jobId, last }, { nc, store }) => {
    if ((await store.read(migrationStream(jobId))).events.length === 0) {
      process.stderr.write(`ferry logs: no job ${jobId}\n`);
      return 1;
    }
    const lines = await readToolLog(nc, jobId, last);
    for (const l of lines)
      process.stdout.write(
        format !== 'table'
          ? record(format, l)
          : `${l.at} ${l.tool} ${l.kind === 'command' ? '$' : `${l.kind}:`} ${l.text}\n`,
      );
    return 0;
  },
);
