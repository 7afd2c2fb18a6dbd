import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inSpan, SpanKind, startTracing } from './tracing.ts';

/** A collector's OTLP/HTTP endpoint on loopback: it keeps what is posted to it. */
const received: { path: string; contentType: string; body: Buffer }[] = [];
const collector = createServer((req: IncomingMessage, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    received.push({
      path: req.url ?? '',
      contentType: String(req.headers['content-type']),
      body: Buffer.concat(chunks),
    });
    res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  });
});

beforeAll(() => new Promise<void>((r) => collector.listen(0, '127.0.0.1', r)));
afterAll(() => new Promise<void>((r) => collector.close(() => r())));

describe('tracing over OTLP/HTTP', () => {
  it('posts the spans to <endpoint>/v1/traces, with the service name, by the time it shuts down', async () => {
    const { port } = collector.address() as AddressInfo;
    const tracing = await startTracing({
      service: 'otlp-test',
      otlpEndpoint: `http://127.0.0.1:${port}/`,
    });
    expect(tracing.enabled).toBe(true);
    await inSpan('ferry.cmd.test.run', { kind: SpanKind.CONSUMER }, () =>
      inSpan('qemu-img convert', { kind: SpanKind.CLIENT }, () => undefined),
    );
    await tracing.shutdown();
    expect(received.map((r) => r.path)).toEqual(['/v1/traces']);
    const body = received[0]?.body.toString('latin1') ?? '';
    for (const text of ['otlp-test', 'ferry.cmd.test.run', 'qemu-img convert'])
      expect(body).toContain(text);
  });
});
