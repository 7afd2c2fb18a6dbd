import type { TLSSocket } from 'node:tls';
import { Agent, buildConnector, errors, request, type Dispatcher } from 'undici';
import { inSpan, SpanKind, timeExternal, type Span } from '@ferry/observability';
import {
  InvalidLoginError,
  NotAuthenticatedError,
  UntrustedCertificateError,
  VsphereError,
  VsphereTimeoutError,
} from './faults.ts';
import {
  child,
  children,
  escapeXml,
  path,
  text,
  xsiType,
  parseXml,
  type Element,
  type Keep,
} from './xml.ts';

export interface SoapOptions {
  /** `https://host/sdk` (the path defaults to /sdk). */
  readonly url: string;
  /** Accept any certificate: only when configured (VMWARE_ESXI_INSECURE). */
  readonly insecure?: boolean;
  /** Accept exactly this certificate: its SHA-1 thumbprint, as vSphere shows it (AA:BB:...). */
  readonly thumbprint?: string;
  readonly timeoutMs?: number;
  readonly maxResponseBytes?: number;
}

/** A managed object reference: `<_this type="ViewManager">ViewManager</_this>`. */
export interface MoRef {
  readonly type: string;
  readonly value: string;
}

/** The only methods Ferry ever calls: it reads an inventory and changes nothing. */
export const READ_ONLY_METHODS = [
  'RetrieveServiceContent',
  'Login',
  'CreateContainerView',
  'RetrievePropertiesEx',
  'ContinueRetrievePropertiesEx',
  'DestroyView',
  'Logout',
] as const;
export type ReadOnlyMethod = (typeof READ_ONLY_METHODS)[number];

const normalizeThumbprint = (t: string) => t.replace(/[^0-9a-f]/gi, '').toUpperCase();

/** A GET or HEAD of a datastore file: the bytes from `start` to `end` (inclusive), or all of them. */
export interface DatastoreGet {
  readonly method?: 'GET' | 'HEAD';
  readonly range?: { readonly start: number; readonly end?: number };
  readonly signal?: AbortSignal;
}

/**
 * How another HTTP client reads a file of this host as this session does (nbdkit's curl plugin):
 * the same cookie, and the same trust.
 */
export interface HostAccess {
  /** The file's absolute URL on the host. */
  readonly url: string;
  /** The session's cookie (`name=value`); a secret. */
  readonly cookie: string;
  /**
   * The trust: `insecure` (configured so, or plain HTTP), the pinned certificate (PEM: trust exactly
   * it), or the system's authorities.
   */
  readonly trust: 'insecure' | 'system' | { readonly pinned: string };
}

/** vim25 SOAP over HTTP(S): one session cookie, bounded responses, faults as typed errors. */
export class SoapTransport {
  readonly host: string;
  private readonly endpoint: string;
  private readonly agent: Agent;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly insecure: boolean;
  private readonly pinned: boolean;
  private cookie: string | undefined;
  /** The certificate a connection showed that matched the pin (PEM). */
  private pinnedPem: string | undefined;

  constructor(options: SoapOptions) {
    const url = new URL(options.url);
    if (url.pathname === '/' || url.pathname === '') url.pathname = '/sdk';
    this.endpoint = url.toString();
    this.host = url.host;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxBytes = options.maxResponseBytes ?? 64 * 1024 * 1024;
    this.insecure = options.insecure === true;
    const pinned = options.thumbprint ? normalizeThumbprint(options.thumbprint) : undefined;
    this.pinned = pinned !== undefined;
    // With a pin, every connection shows its certificate: no resumed TLS sessions, which may not carry it.
    const base = buildConnector({
      rejectUnauthorized: !options.insecure && !pinned,
      timeout: this.timeoutMs,
      ...(pinned ? { maxCachedSessions: 0 } : {}),
    });
    this.agent = new Agent({
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      connect: (opts, callback) =>
        base(opts, (error, socket) => {
          if (error || !socket || !pinned || !('getPeerCertificate' in socket))
            return callback(error, socket as never);
          const certificate = (socket as TLSSocket).getPeerX509Certificate();
          const seen = normalizeThumbprint(certificate?.fingerprint ?? '');
          if (seen === pinned) {
            this.pinnedPem = certificate?.toString();
            return callback(null, socket);
          }
          socket.destroy();
          return callback(
            new UntrustedCertificateError(this.host, `thumbprint ${seen} is not the pinned one`),
            null,
          );
        }),
    });
  }

  /** Calls a method; `body` is the XML of its arguments after `_this`. Returns the `returnval` elements. */
  async call(method: ReadOnlyMethod, target: MoRef, body = ''): Promise<readonly Element[]> {
    return (await this.send(method, target, body)).returnvals();
  }

  /**
   * Sends a call and reads its whole answer, unparsed: a caller with several calls to make sends
   * the next one while it parses this one (`oneAhead`).
   */
  send(method: ReadOnlyMethod, target: MoRef, body = ''): Promise<SoapAnswer> {
    return inSpan(
      `vsphere ${method}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'rpc.system': 'vsphere-soap',
          'rpc.method': method,
          'server.address': this.host,
          'vsphere.target': `${target.type}:${target.value}`,
        },
      },
      (span) => timeExternal('vsphere', method, () => this.sendInSpan(method, target, body, span)),
    );
  }

  private async sendInSpan(
    method: ReadOnlyMethod,
    target: MoRef,
    body: string,
    span: Span,
  ): Promise<SoapAnswer> {
    const envelope =
      '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
      'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:vim25="urn:vim25"><soapenv:Body>' +
      `<vim25:${method}>${moRefXml('_this', target)}${body}</vim25:${method}></soapenv:Body></soapenv:Envelope>`;
    try {
      const response = await request(this.endpoint, {
        method: 'POST',
        body: envelope,
        dispatcher: this.agent,
        headers: {
          'content-type': 'text/xml; charset=utf-8',
          soapaction: 'urn:vim25/6.5',
          ...(this.cookie ? { cookie: this.cookie } : {}),
        },
      });
      span.setAttribute('http.response.status_code', response.statusCode);
      const setCookie = response.headers['set-cookie'];
      const session = (Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []).find(
        (c) => c.startsWith('vmware_soap_session='),
      );
      if (session) this.cookie = session.split(';')[0];
      return new SoapAnswer(
        this.host,
        method,
        response.statusCode,
        await this.readBounded(response.body, method),
      );
    } catch (error) {
      throw this.transportError(method, error);
    }
  }

  /**
   * A GET or HEAD of another path on this host (the datastore's `/folder` access) with the same
   * trust and the session's cookie. The caller reads or dumps the body.
   */
  get(pathAndQuery: string, options: DatastoreGet = {}): Promise<Dispatcher.ResponseData> {
    const url = new URL(pathAndQuery, this.endpoint);
    // The span ends with the response's headers: the caller reads the body.
    return inSpan(
      `vsphere datastore ${options.method ?? 'GET'}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'http.request.method': options.method ?? 'GET',
          'server.address': this.host,
          'url.path': url.pathname,
        },
      },
      async (span) => {
        const response = await timeExternal(
          'vsphere',
          `datastore ${options.method ?? 'GET'}`,
          () => this.getInSpan(url, options),
          (r) => r.statusCode >= 400,
        );
        span.setAttribute('http.response.status_code', response.statusCode);
        return response;
      },
    );
  }

  /**
   * How another client reads `pathAndQuery` on this host in this session; undefined before the
   * session has its cookie, or, with a pin, before a connection showed the pinned certificate.
   */
  access(pathAndQuery: string): HostAccess | undefined {
    const url = new URL(pathAndQuery, this.endpoint);
    const secure = url.protocol === 'https:';
    const trust: HostAccess['trust'] | undefined =
      !secure || this.insecure
        ? 'insecure'
        : this.pinned
          ? this.pinnedPem === undefined
            ? undefined
            : { pinned: this.pinnedPem }
          : 'system';
    return this.cookie && trust ? { url: url.toString(), cookie: this.cookie, trust } : undefined;
  }

  private async getInSpan(url: URL, options: DatastoreGet): Promise<Dispatcher.ResponseData> {
    try {
      return await request(url, {
        method: options.method ?? 'GET',
        dispatcher: this.agent,
        headers: {
          ...(this.cookie ? { cookie: this.cookie } : {}),
          ...(options.range
            ? { range: `bytes=${options.range.start}-${options.range.end ?? ''}` }
            : {}),
        },
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw this.transportError(options.method ?? 'GET', error);
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /** The body's bytes, refused past the size bound. */
  private async readBounded(
    body: AsyncIterable<Uint8Array>,
    method: string,
  ): Promise<Uint8Array[]> {
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of body) {
      size += chunk.byteLength;
      if (size > this.maxBytes)
        throw new VsphereError(
          'ResponseTooLarge',
          `vSphere at ${this.host} answered ${method} with more than ${this.maxBytes} bytes`,
        );
      chunks.push(chunk);
    }
    return chunks;
  }

  private transportError(method: string, error: unknown): Error {
    if (error instanceof VsphereError) return error;
    if (
      error instanceof errors.HeadersTimeoutError ||
      error instanceof errors.BodyTimeoutError ||
      error instanceof errors.ConnectTimeoutError
    ) {
      return new VsphereTimeoutError(this.host, method, this.timeoutMs);
    }
    const code = (error as { code?: string }).code ?? '';
    if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/i.test(code))
      return new UntrustedCertificateError(this.host, code);
    return new VsphereError(
      'Unreachable',
      `vSphere at ${this.host} cannot be reached for ${method}: ${(error as Error).message}`,
    );
  }
}

/** A call's answer as it came, parsed on demand: its `returnval` elements, or its fault as a typed error. */
export class SoapAnswer {
  private readonly host: string;
  private readonly method: string;
  private readonly statusCode: number;
  private readonly body: readonly (Uint8Array | string)[];

  constructor(
    host: string,
    method: string,
    statusCode: number,
    body: readonly (Uint8Array | string)[],
  ) {
    this.host = host;
    this.method = method;
    this.statusCode = statusCode;
    this.body = body;
  }

  /** `keep` leaves out, as they are read, the elements the caller will not look at. */
  returnvals(keep?: Keep): readonly Element[] {
    const { host, method } = this;
    const bodyEl = child(this.envelope(keep), 'Body');
    const fault = child(bodyEl, 'Fault');
    if (fault) throw this.fault(fault);
    if (this.statusCode >= 400) throw this.httpError();
    const answer = child(bodyEl, `${method}Response`);
    if (!answer)
      throw new VsphereError(
        'BadResponse',
        `vSphere at ${host} answered ${method} without a ${method}Response`,
      );
    return children(answer, 'returnval');
  }

  private envelope(keep?: Keep): Element {
    const decoder = new TextDecoder();
    let xml = '';
    for (const chunk of this.body)
      xml += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    xml += decoder.decode();
    try {
      return parseXml(xml, keep);
    } catch (error) {
      // A proxy's or a front end's error page is no SOAP: its status says more than its markup.
      if (this.statusCode >= 400) throw this.httpError();
      throw new VsphereError('BadResponse', `vSphere at ${this.host}: ${(error as Error).message}`);
    }
  }

  private httpError(): VsphereError {
    return new VsphereError(
      'HttpError',
      `vSphere at ${this.host} answered ${this.method} with HTTP ${this.statusCode}`,
    );
  }

  private fault(fault: Element): VsphereError {
    const detail = child(fault, 'detail');
    const kind = detail
      ? children(detail).map((d) => xsiType(d) ?? (d.localName ?? '').replace(/Fault$/, ''))[0]
      : undefined;
    // An empty name or string says no more than a missing one.
    const message = text(child(fault, 'faultstring'))?.trim() || 'unknown fault';
    if (kind === 'InvalidLogin') return new InvalidLoginError(this.host);
    if (kind === 'NotAuthenticated') return new NotAuthenticatedError(this.host);
    return new VsphereError(kind || 'Fault', `vSphere at ${this.host}: ${message}`);
  }
}

/**
 * Runs asynchronous steps in order, each started once the one before has finished, and hands each
 * result over while the next step runs: an answer is parsed while the next call is on its way.
 */
export async function* oneAhead<T>(steps: readonly (() => Promise<T>)[]): AsyncGenerator<T> {
  let next = steps[0]?.();
  for (let i = 1; next; i++) {
    const current = await next;
    next = steps[i]?.();
    // Awaited at the next turn; caught here too so that one left behind by a failing caller is not unhandled.
    next?.catch(() => undefined);
    // undici writes a request on a later turn of the event loop: let it go out before the caller parses.
    if (next) await new Promise(setImmediate);
    yield current;
  }
}

export const moRefXml = (tag: string, ref: MoRef) =>
  `<vim25:${tag} type="${escapeXml(ref.type)}">${escapeXml(ref.value)}</vim25:${tag}>`;

export const readMoRef = (el: Element | undefined): MoRef | undefined =>
  el ? { type: el.type ?? '', value: el.textContent } : undefined;

export { path };
