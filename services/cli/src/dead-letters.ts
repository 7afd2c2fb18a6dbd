import { parseArgs } from 'node:util';
import { jetstreamManager, type StoredMsg } from '@nats-io/jetstream';
import { HEADERS, STREAMS } from '@ferry/contracts';
import { table } from './describe.ts';
import { natsCommand, UsageError } from './nats.ts';
import { document, FORMAT_FLAGS, formatOf, record } from './format.ts';

export const DEAD_LETTERS_FLAGS = { ...FORMAT_FLAGS, last: { type: 'string' } } as const;

/** A command set aside in FERRY_DLQ, as an operator reads it. */
interface DeadLetter {
  readonly seq: number;
  readonly at: string;
  /** Where it was sent, and where a replay sends it again. */
  readonly subject: string;
  readonly type: string | null;
  readonly jobId: string | null;
  readonly commandId: string | null;
  readonly deliveries: number | null;
  readonly reason: string;
}

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
    const get = (seq: number) =>
      jsm.streams.getMessage(STREAMS.deadLetters, { seq }).catch(() => null);
    if (replay) {
      let code = 0;
      for (const seq of replay) {
        const m = await get(seq);
        if (!m) {
          process.stderr.write(`ferry dead-letters: no dead letter ${seq}\n`);
          code = 1;
          continue;
        }
        const letter = describe(m);
        // Sent again before it is removed: a replay cut short leaves it listed, never lost.
        const ack = await js.publish(letter.subject, m.data, { msgID: `replay-dlq-${seq}` });
        await jsm.streams.deleteMessage(STREAMS.deadLetters, seq, false);
        process.stdout.write(
          format !== 'table'
            ? record(format, { ...letter, replayedAs: ack.seq })
            : `${seq}: ${letter.type ?? 'message'} sent again on ${letter.subject} (command stream ${ack.seq})\n`,
        );
      }
      return code;
    }
    const { state } = await jsm.streams.info(STREAMS.deadLetters);
    const letters: DeadLetter[] = [];
    for (
      let seq = Math.max(state.first_seq, state.last_seq - last + 1);
      seq <= state.last_seq;
      seq++
    ) {
      const m = await get(seq); // replayed ones are gone
      if (m) letters.push(describe(m));
    }
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

/** What a dead letter says of itself: its headers, and the command it holds where it is one. */
function describe(m: StoredMsg): DeadLetter {
  const header = (name: string) => m.header.get(name) || null;
  let command: { type?: unknown; data?: { jobId?: unknown }; metadata?: { commandId?: unknown } } =
    {};
  try {
    command = m.json();
  } catch {
    // not JSON: listed by its subject
  }
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  const deliveries = Number(header(HEADERS.deadLetterDeliveries));
  return {
    seq: m.seq,
    at: m.time.toISOString(),
    subject: header(HEADERS.deadLetterSubject) ?? m.subject,
    type: text(command.type),
    jobId: text(command.data?.jobId),
    commandId: text(command.metadata?.commandId),
    deliveries: Number.isInteger(deliveries) && deliveries > 0 ? deliveries : null,
    reason: header(HEADERS.deadLetterReason) ?? '',
  };
}
