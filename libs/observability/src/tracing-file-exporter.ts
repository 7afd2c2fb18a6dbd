import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SpanKind, SpanStatusCode, type HrTime } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

/** One span as a line of the trace file. */
export interface SpanLine {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | null;
  readonly name: string;
  readonly kind: string;
  /** The `service.name` of the process that recorded it. */
  readonly service: string;
  readonly start: string;
  readonly durationMs: number;
  readonly status: 'UNSET' | 'OK' | 'ERROR';
  readonly statusMessage?: string;
  readonly attributes: Record<string, unknown>;
  readonly events: readonly { name: string; attributes: Record<string, unknown> }[];
}

const millis = ([s, ns]: HrTime) => s * 1_000 + ns / 1_000_000;

export function spanLine(span: ReadableSpan): SpanLine {
  const context = span.spanContext();
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? null,
    name: span.name,
    kind: SpanKind[span.kind],
    service: String(span.resource.attributes['service.name'] ?? 'unknown'),
    start: new Date(millis(span.startTime)).toISOString(),
    durationMs: Math.round(millis(span.duration) * 1_000) / 1_000,
    status: SpanStatusCode[span.status.code] as SpanLine['status'],
    ...(span.status.message ? { statusMessage: span.status.message } : {}),
    attributes: { ...span.attributes },
    events: span.events.map((e) => ({ name: e.name, attributes: { ...e.attributes } })),
  };
}

/**
 * Appends each span to a file as one JSON line (FERRY_TRACE_FILE): for tests, and for operators
 * without a collector. Written synchronously, so a span that ended is on disk.
 */
export class JsonLinesSpanExporter implements SpanExporter {
  private readonly file: string;

  constructor(file: string) {
    this.file = file;
    mkdirSync(dirname(file), { recursive: true });
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    try {
      appendFileSync(this.file, spans.map((s) => `${JSON.stringify(spanLine(s))}\n`).join(''));
      done({ code: ExportResultCode.SUCCESS });
    } catch (error) {
      done({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }

  async shutdown(): Promise<void> {}
}
