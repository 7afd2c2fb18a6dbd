import { parseArgs } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import { listDeadLetters, NotReplayableError, replayDeadLetter } from '@ferry/messaging';
import { table } from './describe.ts';
import { natsCommand, UsageError } from './nats.ts';
import { document, FORMAT_FLAGS, formatOf, record } from './format.ts';

export const DEAD_LETTERS_FLAGS = { ...FORMAT_FLAGS, last: { type: 'string' } } as const;

/**
 * `ferry dead-letters`: the commands set aside in FERRY_DLQ (they could not succeed, or failed
 * every delivery), newest last; `replay SEQ...` sends each again where it was sent and removes it
 * from the stream. Speaks as Ferry's admin (under NATS's auth, NATS_NKEY=admin.nk): the stream is
 * the admin's to read.
 */
export const deadLetters = natsCommand(
  'dead-letters',
  (args) => {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: DEAD_LETTERS_FLAGS,
    });
    const [action, ...rest] = positionals;
    if (action !== undefined && action !== 'replay')
      throw new UsageError(`unknown action '${action}' (replay SEQ...)`);
    const seqs = rest.map(Number);
    if (action === 'replay' && (seqs.length === 0 || seqs.length > 500))
      throw new UsageError('replay: give one to 500 sequence numbers, as the list shows them');
    const bad = rest.find((s) => !/^[1-9]\d{0,15}$/.test(s));
    if (bad !== undefined) throw new UsageError(`not a sequence number: ${bad}`);
    const last = values.last === undefined ? 100 : Number(values.last);
    if (!Number.isInteger(last) || last < 1 || last > 10_000)
      throw new UsageError('--last: a whole number from 1 to 10000');
    return { format: formatOf(values), last, replay: action === 'replay' ? seqs : undefined };
  },
  async ({ format, last, replay }, { nc, js }) => {
    const jsm = await jetstreamManager(nc);
    if (replay) {
      let code = 0;
      for (const seq of replay) {
        const replayed = await replayDeadLetter(js, jsm, seq).catch((error: unknown) => {
          if (error instanceof NotReplayableError) return error;
          throw error;
        });
        if (replayed instanceof NotReplayableError) {
          process.stderr.write(`ferry dead-letters: ${replayed.message}\n`);
          code = 1;
          continue;
        }
        if (!replayed) {
          process.stderr.write(`ferry dead-letters: no dead letter ${seq}\n`);
          code = 1;
          continue;
        }
        const { letter, replayedAs } = replayed;
        process.stdout.write(
          format !== 'table'
            ? record(format, { ...letter, replayedAs })
            : `${seq}: ${letter.type ?? 'message'} sent again on ${letter.subject} (command stream ${replayedAs})\n`,
        );
      }
      return code;
    }
    const { letters } = await listDeadLetters(jsm, last);
    if (format !== 'table') {
      process.stdout.write(document(format, { deadLetters: letters }));
      return 0;
    }
    process.stdout.write(
      letters.length === 0
        ? 'no dead letters\n'
        : table([
            ['SEQ', 'AT', 'COMMAND', 'JOB', 'DELIVERIES', 'REASON'],
            ...letters.map((l) => [
              String(l.seq),
              l.at,
              l.type ?? l.subject,
              l.jobId ?? '-',
              l.deliveries === null ? '-' : String(l.deliveries),
              l.reason,
            ]),
          ]),
    );
    return 0;
  },
  'admin',
);
