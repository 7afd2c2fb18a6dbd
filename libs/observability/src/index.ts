export { currentLogContext, runWithLogContext, type LogContext } from './log-context.ts';
export {
  createLogger,
  logFileName,
  type Logger,
  type LoggerOptions,
  type LogRole,
} from './logger.ts';
export { redact, redactText, REDACTED } from './redact.ts';
export {
  counter,
  DURATION_BUCKETS,
  gauge,
  histogram,
  initProcessMetrics,
  metricsRegistry,
  serveMetrics,
  timeExternal,
} from './metrics.ts';
