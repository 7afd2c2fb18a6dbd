import type { Readable } from 'node:stream';
import type { CloudConfig } from '../config/cloud-config.ts';
import { OpenStackError } from '../http/openstack-error.ts';
import type { HttpRequest, HttpResponse, OpenStackHttp } from '../http/openstack-http.ts';

/** The services Ferry calls, by catalog type, with the name errors give them. */
export const SERVICES = {
  identity: { types: ['identity'], name: 'keystone' },
  image: { types: ['image'], name: 'glance' },
  compute: { types: ['compute'], name: 'nova' },
  network: { types: ['network'], name: 'neutron' },
  'block-storage': { types: ['block-storage', 'volumev3'], name: 'cinder' },
  placement: { types: ['placement'], name: 'placement' },
} as const;
export type ServiceType = keyof typeof SERVICES;

interface CatalogService {
  readonly type: string;
  readonly endpoints: readonly {
    interface: string;
    region_id?: string;
    region?: string;
    url: string;
  }[];
}

interface Token {
  readonly value: string;
  readonly expiresAt: number;
  readonly projectId: string | undefined;
  readonly catalog: readonly CatalogService[];
}

// A token this close to its expiry is renewed first, so no call starts with one about to lapse.
const RENEW_BEFORE_MS = 5 * 60_000;

export interface CallOptions {
  readonly json?: unknown;
  readonly stream?: () => Readable | AsyncIterable<Uint8Array>;
  readonly headers?: Record<string, string>;
  readonly retries?: number;
  readonly signal?: AbortSignal;
}

/**
 * A Keystone v3 session: one token reused until shortly before it expires, renewed once on a 401,
 * and every service's endpoint taken from its catalog by interface and region.
 */
export class OpenStackSession {
  private readonly load: () => CloudConfig;
  private loaded: CloudConfig | undefined;
  private readonly http: OpenStackHttp;
  private current: Token | undefined;
  private pending: Promise<Token> | undefined;

  /**
   * `cloud` may be a function, read at the first call: a service without an OpenStack configured
   * still runs (dry runs need no cloud) and says so on the first job that does.
   */
  constructor(cloud: CloudConfig | (() => CloudConfig), http: OpenStackHttp) {
    this.load = typeof cloud === 'function' ? cloud : () => cloud;
    this.http = http;
  }

  /** The cloud this session logs in to; throws CloudConfigError when it is not configured. */
  get cloud(): CloudConfig {
    return (this.loaded ??= this.load());
  }

  /** A valid token (for a tool run beside Ferry, such as curl in the upload benchmark). */
  async token(): Promise<string> {
    return (await this.valid()).value;
  }

  /** The project the token is scoped to. */
  async projectId(): Promise<string | undefined> {
    return (await this.valid()).projectId;
  }

  /** A service's endpoint from the catalog (no trailing slash). */
  async endpoint(service: ServiceType): Promise<string> {
    return endpointOf((await this.valid()).catalog, service, this.cloud);
  }

  /** Calls `path` on a service, authenticated; a 401 renews the token and tries once more. */
  async call(
    service: ServiceType,
    method: HttpRequest['method'],
    path: string,
    options: CallOptions = {},
  ): Promise<HttpResponse> {
    for (let renewed = false; ; renewed = true) {
      const token = await this.valid();
      try {
        return await this.http.send({
          service: SERVICES[service].name,
          method,
          url: `${endpointOf(token.catalog, service, this.cloud)}${path}`,
          headers: { 'x-auth-token': token.value, ...options.headers },
          ...(options.json !== undefined ? { json: options.json } : {}),
          ...(options.stream ? { stream: options.stream } : {}),
          ...(options.retries !== undefined ? { retries: options.retries } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
          tls: this.cloud.tls,
        });
      } catch (error) {
        if (renewed || !(error instanceof OpenStackError) || error.status !== 401) throw error;
        if (this.current === token) this.current = undefined;
      }
    }
  }

  private async valid(): Promise<Token> {
    if (this.current && this.current.expiresAt - Date.now() > RENEW_BEFORE_MS) return this.current;
    this.pending ??= this.authenticate().finally(() => (this.pending = undefined));
    return (this.current = await this.pending);
  }

  private async authenticate(): Promise<Token> {
    const { auth } = this.cloud;
    const identity =
      auth.type === 'password'
        ? {
            methods: ['password'],
            password: {
              user: {
                name: auth.username,
                domain: { name: auth.userDomainName },
                password: auth.password,
              },
            },
          }
        : {
            methods: ['application_credential'],
            application_credential: { id: auth.id, secret: auth.secret },
          };
    const scope =
      auth.type === 'password'
        ? { project: { name: auth.projectName, domain: { name: auth.projectDomainName } } }
        : undefined;
    const base = /\/v3$/.test(this.cloud.authUrl) ? this.cloud.authUrl : `${this.cloud.authUrl}/v3`;
    const response = await this.http.send({
      service: 'keystone',
      method: 'POST',
      url: `${base}/auth/tokens`,
      json: { auth: { identity, ...(scope ? { scope } : {}) } },
      tls: this.cloud.tls,
    });
    const value = response.headers['x-subject-token'];
    const body = response.json<{
      token: { expires_at: string; project?: { id: string }; catalog?: CatalogService[] };
    }>();
    if (typeof value !== 'string')
      throw new OpenStackError({
        service: 'keystone',
        status: response.status,
        method: 'POST',
        path: '/v3/auth/tokens',
        message: 'the answer carries no X-Subject-Token',
      });
    return {
      value,
      expiresAt: Date.parse(body.token.expires_at),
      projectId: body.token.project?.id,
      catalog: body.token.catalog ?? [],
    };
  }
}

function endpointOf(
  catalog: readonly CatalogService[],
  service: ServiceType,
  cloud: CloudConfig,
): string {
  for (const type of SERVICES[service].types) {
    const override = cloud.endpointOverrides[type];
    if (override) return override;
  }
  for (const type of SERVICES[service].types) {
    const found = catalog
      .find((s) => s.type === type)
      ?.endpoints.find(
        (e) =>
          e.interface === cloud.interface &&
          (cloud.regionName === undefined || (e.region_id ?? e.region) === cloud.regionName),
      );
    if (found) return found.url.replace(/\/+$/, '');
  }
  throw new OpenStackError({
    service: SERVICES[service].name,
    status: 0,
    method: '-',
    path: '-',
    message: `the catalog of ${cloud.source} has no ${cloud.interface} ${SERVICES[service].types.join(' or ')} endpoint${cloud.regionName ? ` in region ${cloud.regionName}` : ''}`,
  });
}
