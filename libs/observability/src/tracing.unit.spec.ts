import { readFileSync } from 'node:fs';
import { tempDirs } from '@ferry/tooling/temp-dirs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentLogContext } from './log-context.ts';
import type { SpanLine } from './tracing-file-exporter.ts';
import {
  activeTraceparent,
  contextOfTraceparent,
  inSpan,
  SpanKind,
  startTracing,
  traceparentOf,
  tracingEnabled,
  type Tracing,
} from './tracing.ts';
import { parseTraceparent } from './traceparent.ts';

const dir = tempDirs('ferry-tracing-')();
const file = join(dir, 'traces-{service}.jsonl');
const spans = (): SpanLine[] =>
  readFileSync(join(dir, 'traces-unit.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as SpanLine);
let tracing: Tracing;

beforeAll(async () => {
  tracing = await startTracing({ service: 'unit', file });
});
afterAll(async () => tracing.shutdown());

describe('tracing to a file', () => {
  it('is on, and writes each span as a JSON line naming the service', async () => {
    expect(tracing.enabled).toBe(true);
    expect(tracingEnabled()).toBe(true);
    await inSpan('one', { attributes: { 'ferry.job.id': 'job-1' } }, () => undefined);
    const line = spans().find((s) => s.name === 'one');
    expect(line).toMatchObject({
      service: 'unit',
      kind: 'INTERNAL',
      status: 'UNSET',
      parentSpanId: null,
      attributes: { 'ferry.job.id': 'job-1' },
    });
    expect(line?.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('nests spans through awaits, and puts the trace id in the log context', async () => {
    await inSpan('outer', {}, async (outer) => {
      await new Promise((r) => setTimeout(r, 5));
      expect(currentLogContext().traceId).toBe(outer.spanContext().traceId);
      await inSpan('inner', { kind: SpanKind.CLIENT }, () => undefined);
    });
    const outer = spans().find((s) => s.name === 'outer');
    const inner = spans().find((s) => s.name === 'inner');
    expect(inner?.traceId).toBe(outer?.traceId);
    expect(inner?.parentSpanId).toBe(outer?.spanId);
    expect(inner?.kind).toBe('CLIENT');
  });

  it('carries a span across a message: traceparent out, the same trace continued on the other side', async () => {
    let sent: string | undefined;
    await inSpan('sender', { kind: SpanKind.PRODUCER }, (span) => {
      sent = activeTraceparent();
      expect(parseTraceparent(sent)).toEqual({
        traceId: span.spanContext().traceId,
        spanId: span.spanContext().spanId,
        sampled: true,
      });
    });
    expect(activeTraceparent()).toBeUndefined();
    await inSpan(
      'receiver',
      { kind: SpanKind.CONSUMER, parent: contextOfTraceparent(sent) },
      () => undefined,
    );
    const sender = spans().find((s) => s.name === 'sender');
    const receiver = spans().find((s) => s.name === 'receiver');
    expect(receiver?.traceId).toBe(sender?.traceId);
    expect(receiver?.parentSpanId).toBe(sender?.spanId);
    expect(traceparentOf(contextOfTraceparent(sent))).toBe(sent);
    // No traceparent: a new trace.
    await inSpan('fresh', { parent: contextOfTraceparent(undefined) }, () => undefined);
    expect(spans().find((s) => s.name === 'fresh')?.parentSpanId).toBeNull();
  });

  it('marks a span whose function throws as failed, with the exception, and rethrows', async () => {
    await expect(inSpan('broken', {}, () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    const broken = spans().find((s) => s.name === 'broken');
    expect(broken).toMatchObject({ status: 'ERROR', statusMessage: 'boom' });
    expect(broken?.events.map((e) => e.name)).toContain('exception');
  });
});
