import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type * as Undici from 'undici';
import { inSpan, SpanKind, timeExternal, type Span } from '@ferry/observability';
import type { CloudTls } from '../config/cloud-config.ts';
import { errorMessage, OpenStackError } from './openstack-error.ts';
import { retryDelayMs, type Outcome } from './retry-policy.ts';

export interface HttpOptions {
  readonly timeoutMs: number;
  readonly retries: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
}

export interface HttpRequest {
  readonly service: string;
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: string;
  readonly headers?: Record<string, string>;
  /** JSON to send, or a body made anew for each attempt (a file upload). */
  readonly json?: unknown;
  readonly stream?: () => Readable | AsyncIterable<Uint8Array>;
  /** Retries override (0 for an upload the caller restarts itself). */
  readonly retries?: number;
  readonly signal?: AbortSignal;
  /** The cloud's TLS settings (its CA, a client certificate); the system's authorities without. */
  readonly tls?: CloudTls;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  json<T>(): T;
}

/**
 * HTTP to OpenStack APIs: one timeout per request, retries with backoff where they are safe
 * (see retry-policy), and an OpenStackError with the service, request id and message otherwise.
 */
export class OpenStackHttp {
  private undici: Promise<typeof Undici> | undefined;
  /**
   * A connection pool per TLS setting, by the setting itself: a session reads its cloud once, so
   * every request of one cloud brings the same object (in practice one pool).
   */
  private readonly agents = new Map<CloudTls | undefined, Undici.Agent>();
  private readonly options: HttpOptions;

  constructor(options: HttpOptions) {
    this.options = options;
  }

  /**
   * undici, loaded with the first request: a service that is idle, or has no cloud, does not hold its
   * ~5 MiB of code (the gateway asks OpenStack only for a health query).
   */
  private async client(tls: CloudTls | undefined) {
    const { Agent, request } = await (this.undici ??= import('undici'));
    let agent = this.agents.get(tls);
    if (!agent) {
      const { timeoutMs } = this.options;
      agent = new Agent({
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        ...(tls
          ? {
              connect: {
                ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
                ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
                ...(tls.key !== undefined ? { key: tls.key } : {}),
                rejectUnauthorized: tls.verify,
              },
            }
          : {}),
      });
      this.agents.set(tls, agent);
    }
    return { request, agent };
  }

  /** Sends a request, in a span of its own (method, service, path, status, retries). */
  send(req: HttpRequest): Promise<HttpResponse> {
    const url = new URL(req.url);
    return inSpan(
      `openstack ${req.service} ${req.method}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'openstack.service': req.service,
          'http.request.method': req.method,
          'server.address': url.hostname,
          'url.path': url.pathname,
        },
      },
      (span) =>
        timeExternal('openstack', `${req.service} ${req.method}`, () =>
          this.attempts(req, url.pathname, span),
        ),
    );
  }

  private async attempts(req: HttpRequest, path: string, span: Span): Promise<HttpResponse> {
    const idempotent = req.method !== 'POST' && req.method !== 'PATCH';
    for (let attempt = 1; ; attempt++) {
      let outcome: Outcome;
      if (attempt > 1) span.setAttribute('http.request.resend_count', attempt - 1);
      try {
        const { request, agent } = await this.client(req.tls);
        const response = await request(req.url, {
          method: req.method,
          dispatcher: agent,
          headers: {
            accept: 'application/json',
            ...(req.json !== undefined ? { 'content-type': 'application/json' } : {}),
            ...(req.stream ? { 'content-type': 'application/octet-stream' } : {}),
            ...req.headers,
          },
          ...(req.json !== undefined ? { body: JSON.stringify(req.json) } : {}),
          // undici sends an async iterable chunk by chunk, waiting for the socket to drain between
          // chunks (its types name only streams).
          ...(req.stream ? { body: req.stream() as Readable } : {}),
          ...(req.signal ? { signal: req.signal } : {}),
        });
        const text = await response.body.text();
        span.setAttribute('http.response.status_code', response.statusCode);
        const requestId =
          header(response.headers, 'x-openstack-request-id') ??
          header(response.headers, 'x-compute-request-id');
        if (requestId) span.setAttribute('openstack.request_id', requestId);
        if (response.statusCode < 400)
          return answer(response.statusCode, response.headers, text, {
            service: req.service,
            method: req.method,
            path,
            requestId,
          });
        const error = new OpenStackError({
          service: req.service,
          status: response.statusCode,
          requestId,
          method: req.method,
          path,
          message: errorMessage(text),
        });
        outcome = {
          status: response.statusCode,
          retryAfter: header(response.headers, 'retry-after'),
        };
        const delay = this.delay(attempt, outcome, idempotent, req.retries);
        if (delay === undefined) throw error;
        await sleep(delay, undefined, req.signal ? { signal: req.signal } : {});
      } catch (error) {
        if (error instanceof OpenStackError || req.signal?.aborted) throw error;
        const code = errorCode(error);
        const delay = this.delay(attempt, { errorCode: code }, idempotent, req.retries);
        if (delay === undefined)
          throw new OpenStackError({
            service: req.service,
            status: 0,
            method: req.method,
            path,
            message: `${code === 'UND_ERR_HEADERS_TIMEOUT' ? `no answer within ${this.options.timeoutMs} ms` : (error as Error).message} (${code})${UNTRUSTED.has(code) ? `: ${url(req.url)} is not trusted; give the authority that signed its certificate as cacert in clouds.yaml (or OS_CACERT)` : ''}`,
          });
        await sleep(delay, undefined, req.signal ? { signal: req.signal } : {});
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((agent) => agent.close()));
    this.agents.clear();
  }

  private delay(attempt: number, outcome: Outcome, idempotent: boolean, retries?: number) {
    return retryDelayMs(attempt, outcome, {
      retries: retries ?? this.options.retries,
      baseDelayMs: this.options.baseDelayMs ?? 500,
      maxDelayMs: this.options.maxDelayMs ?? 30_000,
      idempotent,
    });
  }
}

// Node's names for a certificate no trusted authority vouches for.
const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
]);
const url = (u: string) => new URL(u).origin;

const header = (headers: Record<string, string | string[] | undefined>, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

// undici's errors carry their kind as `code` (UND_ERR_HEADERS_TIMEOUT, ...); system errors as theirs or their cause's.
function errorCode(error: unknown): string {
  const e = error as { code?: string; cause?: { code?: string } };
  return e.code ?? e.cause?.code ?? 'UNKNOWN';
}

const answer = (
  status: number,
  headers: Record<string, string | string[] | undefined>,
  text: string,
  request: { service: string; method: string; path: string; requestId: string | undefined },
): HttpResponse => ({
  status,
  headers,
  text,
  json: <T>() => {
    if (!text) return {} as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      // A proxy or load balancer in front of the service answering for it (an HTML error page).
      throw new OpenStackError({
        ...request,
        status,
        message: `the answer is not OpenStack's JSON (${header(headers, 'content-type') ?? 'no content type'}): ${errorMessage(text).slice(0, 200)}`,
        notOpenStack: true,
      });
    }
  },
});
