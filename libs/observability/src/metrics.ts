import { createServer, type Server } from 'node:http';
import client from 'prom-client';

/**
 * Every Ferry process's Prometheus metrics, in one registry: what its code records (by name, from
 * anywhere, through the helpers below) and the process's own (CPU, memory, event loop).
 */
export const metricsRegistry = client.register;

/** Names this process in every series and starts collecting its CPU, memory and event-loop figures. */
export function initProcessMetrics(service: string): void {
  if (metricsRegistry.getSingleMetric('process_cpu_seconds_total')) return;
  metricsRegistry.setDefaultLabels({ service });
  client.collectDefaultMetrics({ register: metricsRegistry });
}

/** A counter, created on first use: the same name gives the same counter wherever it is asked for. */
export function counter<L extends string = never>(
  name: string,
  help: string,
  labelNames: readonly L[] = [],
): client.Counter<L> {
  return (metricsRegistry.getSingleMetric(name) ??
    new client.Counter({ name, help, labelNames })) as client.Counter<L>;
}

export function histogram<L extends string = never>(
  name: string,
  help: string,
  labelNames: readonly L[],
  buckets: readonly number[],
): client.Histogram<L> {
  return (metricsRegistry.getSingleMetric(name) ??
    new client.Histogram({ name, help, labelNames, buckets: [...buckets] })) as client.Histogram<L>;
}

/** A gauge whose value is asked for at each scrape (`collect`), or set by the code. */
export function gauge<L extends string = never>(
  name: string,
  help: string,
  labelNames: readonly L[] = [],
  collect?: (gauge: client.Gauge<L>) => Promise<void> | void,
): client.Gauge<L> {
  return (metricsRegistry.getSingleMetric(name) ??
    new client.Gauge({
      name,
      help,
      labelNames,
      ...(collect && {
        async collect(this: client.Gauge<L>) {
          await collect(this);
        },
      }),
    })) as client.Gauge<L>;
}

/** Seconds from a few milliseconds (an API call) to a day (a large conversion). */
export const DURATION_BUCKETS = [
  0.005,
  0.025,
  0.1,
  0.25,
  1,
  2.5,
  10,
  30,
  60,
  300,
  900,
  3600,
  4 * 3600,
  24 * 3600,
] as const;

const externalDuration = () =>
  histogram(
    'ferry_external_request_duration_seconds',
    'Calls to the systems Ferry drives (OpenStack, vSphere, qemu-img, virt-v2v), by system and operation.',
    ['system', 'operation', 'outcome'],
    DURATION_BUCKETS,
  );
const externalErrors = () =>
  counter(
    'ferry_external_request_errors_total',
    'Calls to the systems Ferry drives that failed, by system and operation.',
    ['system', 'operation'],
  );

/** Times a call to an outside system, counting it as an error when it throws (or `failed` says so). */
export async function timeExternal<T>(
  system: string,
  operation: string,
  call: () => Promise<T>,
  failed: (result: T) => boolean = () => false,
): Promise<T> {
  const started = performance.now();
  try {
    const result = await call();
    const ok = !failed(result);
    externalDuration().observe(
      { system, operation, outcome: ok ? 'ok' : 'error' },
      (performance.now() - started) / 1000,
    );
    if (!ok) externalErrors().inc({ system, operation });
    return result;
  } catch (error) {
    externalDuration().observe(
      { system, operation, outcome: 'error' },
      (performance.now() - started) / 1000,
    );
    externalErrors().inc({ system, operation });
    throw error;
  }
}

/** `GET /metrics` (Prometheus text) on its own port: for workers, which serve nothing else over HTTP. */
export async function serveMetrics(options: { port: number; host: string }): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    metricsRegistry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': metricsRegistry.contentType }).end(text),
      (error: unknown) =>
        response.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return server;
}
