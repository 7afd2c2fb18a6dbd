import { AsyncLocalStorage } from 'node:async_hooks';

/** What ties a log line to the work it is about; set once per handled message, read by every line. */
export interface LogContext {
  readonly jobId?: string;
  readonly commandId?: string;
  readonly correlationId?: string;
  readonly traceId?: string;
  /** Who asked for the work (a command's actor). */
  readonly actor?: { readonly kind: string; readonly id: string; readonly name?: string };
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `context` added to the context of every line logged inside it, however deep. */
export const runWithLogContext = <T>(context: LogContext, fn: () => T): T =>
  storage.run({ ...storage.getStore(), ...context }, fn);

export const currentLogContext = (): LogContext => storage.getStore() ?? {};
