import {
  context,
  INVALID_SPAN_CONTEXT,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { runWithLogContext } from './log-context.ts';

export { SpanKind, type Attributes, type Span } from '@opentelemetry/api';

export interface TracingOptions {
  /** The service's name: the `service.name` of its spans, and `{service}` in the file name. */
  readonly service: string;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: a collector's OTLP/HTTP base URL; spans are posted to `<it>/v1/traces`. */
  readonly otlpEndpoint?: string | undefined;
  /** FERRY_TRACE_FILE: a file spans are appended to as JSON lines. */
  readonly file?: string | undefined;
}

export interface Tracing {
  /** Whether anything was installed: false when neither an endpoint nor a file was given. */
  readonly enabled: boolean;
  /** Exports what is still pending, then uninstalls. */
  shutdown(): Promise<void>;
}

const OFF: Tracing = { enabled: false, shutdown: async () => {} };
// Read on every span: while false, a span is a plain call of the function it wraps.
let enabled = false;
const NOOP_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * Installs tracing for this process when an OTLP endpoint or a trace file is configured: a tracer
 * provider whose spans name the service, an AsyncLocalStorage context manager (a span is active in
 * everything its function awaits) and the W3C trace-context propagator. With neither configured it
 * installs nothing and loads none of the SDK: the API's no-op tracer stays, and every span helper
 * below only calls the function it wraps.
 */
export async function startTracing(options: TracingOptions): Promise<Tracing> {
  if (!options.otlpEndpoint && !options.file) return OFF;
  const [sdk, { resourceFromAttributes }, { W3CTraceContextPropagator }, hooks, semconv] =
    await Promise.all([
      import('@opentelemetry/sdk-trace'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/core'),
      import('@opentelemetry/context-async-hooks'),
      import('@opentelemetry/semantic-conventions'),
    ]);
  const spanProcessors: SpanProcessor[] = [];
  if (options.file) {
    const { JsonLinesSpanExporter } = await import('./tracing-file-exporter.ts');
    const file = options.file.replaceAll('{service}', options.service);
    // Each span is written as it ends: nothing is lost when the process is stopped abruptly.
    spanProcessors.push(new sdk.SimpleSpanProcessor({ exporter: new JsonLinesSpanExporter(file) }));
  }
  if (options.otlpEndpoint) {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    const url = `${options.otlpEndpoint.replace(/\/+$/, '')}/v1/traces`;
    spanProcessors.push(new sdk.BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url }) }));
  }
  const provider = new sdk.TracerProvider({
    resource: resourceFromAttributes({ [semconv.ATTR_SERVICE_NAME]: options.service }),
    spanProcessors,
  });
  context.setGlobalContextManager(new hooks.AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  enabled = true;
  return {
    enabled: true,
    shutdown: async () => {
      enabled = false;
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

/** Whether spans are recorded in this process (startTracing found an exporter). */
export const tracingEnabled = (): boolean => enabled;

export interface SpanOptions {
  readonly kind?: SpanKind;
  readonly attributes?: Attributes;
  /** The span's parent; the active span's by default. */
  readonly parent?: Context;
}

/**
 * Runs `fn` in a span: active while `fn` runs (nested spans and published messages continue its
 * trace, log lines carry its trace id), ended when `fn` settles, with error status and the
 * exception when `fn` throws. With tracing off, `fn` is called with a span that records nothing.
 */
export function inSpan<T>(
  name: string,
  options: SpanOptions,
  fn: (span: Span) => Promise<T> | T,
): Promise<T> {
  if (!enabled) {
    // The function's own promise, not another around it: off, a span costs one flag check.
    try {
      return Promise.resolve(fn(NOOP_SPAN));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }
  const tracer = trace.getTracer('ferry');
  const spanOptions = {
    kind: options.kind ?? SpanKind.INTERNAL,
    ...(options.attributes ? { attributes: options.attributes } : {}),
  };
  return tracer.startActiveSpan(
    name,
    spanOptions,
    options.parent ?? context.active(),
    async (span) => {
      try {
        return await runWithLogContext({ traceId: span.spanContext().traceId }, () => fn(span));
      } catch (error) {
        markFailed(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** Sets a span's status to error, with the error's message and the exception as an event. */
export function markFailed(span: Span, error: unknown): void {
  if (!span.isRecording()) return;
  const message = error instanceof Error ? error.message : String(error);
  span.recordException(error instanceof Error ? error : message);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/** The W3C `traceparent` of the active span, to send along with a message; undefined when there is none. */
export function activeTraceparent(): string | undefined {
  if (!enabled) return undefined;
  return traceparentOf(context.active());
}

/** The W3C `traceparent` of a context's span, through the W3C propagator (none while tracing is off). */
export function traceparentOf(ctx: Context): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier['traceparent'];
}

/**
 * The context a received message's `traceparent` continues (as its span's parent), through the
 * W3C propagator; the root context when there is none, or when tracing is off.
 */
export function contextOfTraceparent(traceparent: string | undefined): Context {
  if (!enabled || !traceparent) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { traceparent });
}
