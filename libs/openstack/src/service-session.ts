import { loadCloudConfig } from './config/cloud-config.ts';
import { OpenStackHttp } from './http/openstack-http.ts';
import { OpenStackSession } from './identity/session.ts';

export interface ServiceSessionOptions {
  readonly cloud: string;
  readonly timeoutSeconds: number;
  readonly retries: number;
  readonly log: {
    info(fields: object, message: string): void;
    warn(fields: object, message: string): void;
  };
}

/**
 * A service's OpenStack session and its HTTP client (to close on shutdown). The cloud is read at
 * the first call, so a service without one still runs (dry runs need none) and a job that does
 * fails naming what is missing; whether one is configured is logged at start-up.
 */
export function serviceSession(o: ServiceSessionOptions): {
  session: OpenStackSession;
  http: OpenStackHttp;
} {
  const cloud = () => loadCloudConfig({ cloud: o.cloud });
  try {
    o.log.info({ cloud: cloud().name, from: cloud().source }, 'OpenStack cloud configured');
  } catch (error) {
    o.log.warn(
      { error: (error as Error).message },
      'no OpenStack cloud configured: jobs that deploy will fail',
    );
  }
  const http = new OpenStackHttp({ timeoutMs: o.timeoutSeconds * 1000, retries: o.retries });
  return { session: new OpenStackSession(cloud, http), http };
}
