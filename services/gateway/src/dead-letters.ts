import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Actor } from '@ferry/contracts';
import { listDeadLetters, replayDeadLetter } from '@ferry/messaging';
import type { Logger } from '@ferry/observability';
import { gatewayError } from './graphql/errors.ts';

/** The most dead letters one listing reads, and one replay sends. */
const MAX_LISTED = 10_000;
const MAX_REPLAYED = 500;

/** What became of one dead letter asked to be replayed. */
export interface DeadLetterReplay {
  readonly seq: number;
  readonly replayed: boolean;
  readonly subject: string | null;
  readonly reason: string | null;
}

/** FERRY_DLQ as admins meet it at the gateway: listed, and replayed with an outcome each. */
export class DeadLetters {
  constructor(
    private readonly nc: NatsConnection,
    private readonly logger: Logger,
  ) {}

  async list(last: number) {
    if (!Number.isInteger(last) || last < 1 || last > MAX_LISTED)
      throw gatewayError('BAD_USER_INPUT', `last: from 1 to ${MAX_LISTED}, not ${last}`);
    const { count, letters } = await listDeadLetters(await jetstreamManager(this.nc), last);
    return { totalCount: count, letters };
  }

  /**
   * One after the other, in the order asked: one that cannot be sent says why, the rest go on. Each
   * is logged with who asked: the command sent again still names its first sender.
   */
  async replay(seqs: readonly number[], actor: Actor): Promise<DeadLetterReplay[]> {
    const unique = [...new Set(seqs)];
    if (unique.length === 0 || unique.length > MAX_REPLAYED)
      throw gatewayError(
        'BAD_USER_INPUT',
        `give 1 to ${MAX_REPLAYED} dead letters, not ${unique.length}`,
      );
    const jsm = await jetstreamManager(this.nc);
    const js = jetstream(this.nc);
    const outcomes: DeadLetterReplay[] = [];
    for (const seq of unique) {
      const replayed =
        seq > 0
          ? await replayDeadLetter(js, jsm, seq).catch((error: unknown) => error as Error)
          : undefined;
      const outcome: DeadLetterReplay =
        replayed === undefined
          ? { seq, replayed: false, subject: null, reason: 'no such dead letter' }
          : replayed instanceof Error
            ? { seq, replayed: false, subject: null, reason: replayed.message }
            : { seq, replayed: true, subject: replayed.letter.subject, reason: null };
      this.logger.info({ actor, ...outcome }, 'dead letter replay asked for');
      outcomes.push(outcome);
    }
    return outcomes;
  }
}
