import { join } from 'node:path';
import { pino, type DestinationStream, type Logger } from 'pino';
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
  /** Write each line before returning (tests, and short-lived CLIs). */
  readonly sync?: boolean;
}

export const logFileName = (role: LogRole) => (role === 'api' ? 'app.log' : 'worker.log');

/** A pino logger writing JSON lines with service, job id, command id and trace id, secrets redacted. */
export function createLogger(options: LoggerOptions): Logger {
  const file = pino.destination({
    dest: join(options.dir, logFileName(options.role)),
    mkdir: true,
    sync: options.sync ?? false,
  });
  const streams: DestinationStream[] = [file];
  if (options.console ?? true)
    streams.push(pino.destination({ dest: 1, sync: options.sync ?? false }));
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
