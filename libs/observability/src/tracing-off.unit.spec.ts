import { context, propagation, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import {
  activeTraceparent,
  contextOfTraceparent,
  inSpan,
  startTracing,
  tracingEnabled,
} from './tracing.ts';

describe('tracing off (no OTLP endpoint, no trace file)', () => {
  it('installs nothing: the API keeps its no-op tracer, context manager and propagator', async () => {
    const tracing = await startTracing({ service: 'test' });
    expect(tracing.enabled).toBe(false);
    expect(tracingEnabled()).toBe(false);
    expect(trace.getTracer('ferry').startSpan('x').isRecording()).toBe(false);
    expect(propagation.fields()).toEqual([]);
    // The no-op context manager keeps no value across a call.
    const key = Symbol('k');
    context.with(context.active().setValue(key, 1), () =>
      expect(context.active().getValue(key)).toBeUndefined(),
    );
    await tracing.shutdown();
  });

  it('calls the wrapped function with a span that records nothing, and sends no traceparent', async () => {
    await startTracing({ service: 'test', otlpEndpoint: '', file: '' });
    const result = await inSpan('work', {}, (span) => {
      expect(span.isRecording()).toBe(false);
      span.setAttribute('ignored', 1);
      expect(activeTraceparent()).toBeUndefined();
      return 42;
    });
    expect(result).toBe(42);
    await expect(inSpan('failing', {}, () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    // Off as on, a function that throws gives a rejected promise, not a throw.
    const thrown = inSpan('throwing', {}, () => {
      throw new Error('at once');
    });
    await expect(thrown).rejects.toThrow('at once');
    expect(
      trace.getSpanContext(
        contextOfTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'),
      ),
    ).toBeUndefined();
  });
});
