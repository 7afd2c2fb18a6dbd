/** A failed OpenStack call: which service, which request, OpenStack's own words. */
export class OpenStackError extends Error {
  readonly service: string;
  /** HTTP status; 0 when no answer came (timeout, connection refused). */
  readonly status: number;
  readonly requestId: string | undefined;
  readonly method: string;
  readonly path: string;
  /** The answer was not the JSON OpenStack's API speaks (a proxy's HTML page, say). */
  readonly notOpenStack: boolean;
  constructor(o: {
    service: string;
    status: number;
    requestId?: string | undefined;
    method: string;
    path: string;
    message: string;
    notOpenStack?: boolean;
  }) {
    super(
      `${o.service} ${o.method} ${o.path}: ${o.status ? `HTTP ${o.status}: ` : ''}${o.message}${o.requestId ? ` (request ${o.requestId})` : ''}`,
    );
    this.name = 'OpenStackError';
    this.service = o.service;
    this.status = o.status;
    this.requestId = o.requestId;
    this.method = o.method;
    this.path = o.path;
    this.notOpenStack = o.notOpenStack ?? false;
  }

  /**
   * Whether the cloud (or what stands in front of it) is not answering as it should: no answer, a
   * server error, or an answer that is not OpenStack's. Waiting may help; the request was sound.
   */
  get unreachable(): boolean {
    return this.status === 0 || this.status >= 500 || this.notOpenStack;
  }

  /** An outage, to whoever retries commands: the same as `unreachable`. */
  get outage(): boolean {
    return this.unreachable;
  }
}

/**
 * OpenStack's message out of an error body, whatever the service's shape: Nova's
 * `{"itemNotFound": {"message"}}`, Neutron's `{"NeutronError": {"message"}}`, Keystone's
 * `{"error": {"message"}}`, Cinder's `{"badRequest": {"message"}}`, Glance's HTML or text.
 */
export function errorMessage(body: string): string {
  try {
    const data = JSON.parse(body) as Record<string, unknown>;
    for (const value of Object.values(data)) {
      if (
        value &&
        typeof value === 'object' &&
        typeof (value as { message?: unknown }).message === 'string'
      )
        return (value as { message: string }).message;
    }
    if (typeof data.message === 'string') return data.message;
    if (typeof data.detail === 'string') return data.detail;
  } catch {
    // not JSON: Glance and the WSGI layers answer HTML or text
  }
  const text = body
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.slice(0, 500) || 'no message';
}
