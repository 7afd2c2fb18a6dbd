import { join } from 'node:path';
import { pino, type DestinationStream, type Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';
import { currentLogContext } from './log-context.ts';
import { redact, redactText } from './redact.ts';

/** The seed's two streams: the API side writes `app.log`, workers `worker.log`. */
export type LogRole = 'api' | 'worker';

export interface LoggerOptions {
  readonly service: string;
  readonly role: LogRole;
  /** Folder of the log files (LOG_DIR). */
  readonly dir: string;
  readonly level?: string;
  /** Also write to standard output (the default; off in tests). */
  readonly console?: boolean;
  /**
   * How standard output shows the lines (LOG_FORMAT): `auto` (the default) readable on a terminal
   * and JSON otherwise, for a supervisor that collects them. The files are always JSON.
   */
  readonly consoleFormat?: ConsoleFormat;
  /** Write each line before returning (tests, and short-lived CLIs). */
  readonly sync?: boolean;
}

export const CONSOLE_FORMATS = ['auto', 'json', 'pretty'] as const;
export type ConsoleFormat = (typeof CONSOLE_FORMATS)[number];

// Shown in the line's head when set; the files carry them always (null when unset).
const CONTEXT = ['jobId', 'commandId', 'correlationId', 'traceId', 'actor'];

/** One line a person reads: time, level, service, the job when there is one, the message, the rest. */
const readable = (sync: boolean): DestinationStream =>
  PinoPretty({
    destination: 1,
    sync,
    colorize: process.stdout.isTTY,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: ['pid', 'hostname', 'service', 'role', ...CONTEXT].join(','),
    messageFormat: (log, messageKey) =>
      `${String(log.service)}${log.jobId ? ` [job ${String(log.jobId)}]` : ''}: ${String(log[messageKey])}`,
  });

export const logFileName = (role: LogRole) => (role === 'api' ? 'app.log' : 'worker.log');

/** A pino logger writing JSON lines with service, job id, command id and trace id, secrets redacted. */
export function createLogger(options: LoggerOptions): Logger {
  const file = pino.destination({
    dest: join(options.dir, logFileName(options.role)),
    mkdir: true,
    sync: options.sync ?? false,
  });
  const streams: DestinationStream[] = [file];
  if (options.console ?? true) {
    const format = options.consoleFormat ?? 'auto';
    const sync = options.sync ?? false;
    streams.push(
      format === 'pretty' || (format === 'auto' && process.stdout.isTTY)
        ? readable(sync)
        : pino.destination({ dest: 1, sync }),
    );
  }
  const destination =
    streams.length === 1 ? file : pino.multistream(streams.map((stream) => ({ stream })));
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service, role: options.role },
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: 'msg',
      // Every line carries the context of the message being handled, or nulls: the fields are always there.
      mixin: () => {
        const c = currentLogContext();
        return {
          jobId: c.jobId ?? null,
          commandId: c.commandId ?? null,
          correlationId: c.correlationId ?? null,
          traceId: c.traceId ?? null,
          actor: c.actor ?? null,
        };
      },
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => redact(object) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((a) => (typeof a === 'string' ? redactText(a) : a)) as Parameters<
              typeof method
            >,
          );
        },
      },
    },
    destination,
  );
}

export type { Logger };
