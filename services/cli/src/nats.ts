import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { ConfigError, environment, loadConfig } from '@ferry/config';
import { migrationStream } from '@ferry/contracts';
import { JetStreamEventStore, parseStreamName, UnreadableStreamError } from '@ferry/event-store';
import {
  connectNats,
  NATS_SECURITY_SETTINGS,
  natsSecurity,
  type NatsConnection,
  type NatsSecurity,
} from '@ferry/messaging';

export interface Ferry {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly store: JetStreamEventStore;
}

/** A wrong command line: exit 2, before anything is sent. */
export class UsageError extends Error {}

/** The one job id a command takes, checked to be one before anything is asked. */
export function oneJobId(positionals: readonly string[]): string {
  const [jobId, ...extra] = positionals;
  if (jobId === undefined || extra.length > 0) throw new UsageError('give one job id');
  try {
    parseStreamName(migrationStream(jobId));
  } catch {
    throw new UsageError(`not a job id: ${jobId}`);
  }
  return jobId;
}

// What NATS and JetStream throw when the server cannot be reached or lacks Ferry's streams.
const NATS_ERROR = /Timeout|Connection|NoResponders|JetStream|Request|Permission|Draining/;

/**
 * A command that speaks to Ferry over NATS (NATS_URL), like any other system would. Its arguments
 * are parsed first: exit 2 on a bad one or a bad setting, with nothing sent; 3 when NATS cannot be
 * reached or answers with an error.
 */
export const natsCommand =
  <A>(
    command: string,
    parse: (args: string[]) => A,
    run: (args: A, ferry: Ferry) => Promise<number>,
    identity: 'client' | 'admin' = 'client',
  ) =>
  async (argv: string[]): Promise<number> => {
    const fail = (code: number, message: string) => {
      process.stderr.write(`ferry ${command}: ${message}\n`);
      return code;
    };
    let args: A;
    let url: string;
    let security: NatsSecurity;
    try {
      args = parse(argv);
      const config = loadConfig(['NATS_URL', ...NATS_SECURITY_SETTINGS], environment());
      url = config.NATS_URL;
      security = natsSecurity(config);
    } catch (error) {
      if (error instanceof UsageError || error instanceof ConfigError || isParseArgsError(error))
        return fail(2, (error as Error).message);
      throw error;
    }
    let nc;
    try {
      // As another system would: the public commands, and reading (NATS_NKEY: npm start's client.nk);
      // what only the admin may do, as the admin (admin.nk).
      nc = await connectNats({
        url,
        name: `ferry ${command}`,
        identity,
        security,
        failFast: true,
      });
    } catch (error) {
      return fail(3, `cannot reach NATS at ${url}: ${(error as Error).message}`);
    }
    try {
      // What cannot be read is skipped, and said, so the rest still shows.
      const store = new JetStreamEventStore(nc, {
        onUnreadable: (u) =>
          process.stderr.write(
            `ferry ${command}: skipped the commit at ${u.position} (${u.subject}): it cannot be read: ${u.reason}\n`,
          ),
      });
      return await run(args, { nc, js: jetstream(nc), store });
    } catch (error) {
      if (error instanceof UnreadableStreamError) return fail(1, error.message);
      if (error instanceof Error && NATS_ERROR.test(error.name))
        return fail(3, `NATS at ${url}: ${error.message}`);
      throw error;
    } finally {
      await nc.close();
    }
  };

const isParseArgsError = (error: unknown) =>
  String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
