export { currentLogContext, runWithLogContext, type LogContext } from './log-context.ts';
export {
  CONSOLE_FORMATS,
  createLogger,
  logFileName,
  type ConsoleFormat,
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
export {
  activeTraceparent,
  contextOfTraceparent,
  inSpan,
  markFailed,
  SpanKind,
  startTracing,
  traceparentOf,
  tracingEnabled,
  type Attributes,
  type Span,
  type SpanOptions,
  type Tracing,
  type TracingOptions,
} from './tracing.ts';
export type { SpanLine } from './tracing-file-exporter.ts';
export { parseTraceparent, type Traceparent } from './traceparent.ts';
