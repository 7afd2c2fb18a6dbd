import { environment } from '@ferry/config';
import { loadCloudConfig } from './config/cloud-config.ts';
import { OpenStackHttp } from './http/openstack-http.ts';
import { OpenStackSession } from './identity/session.ts';

/** The settings (libs/config's names) a service's OpenStack session is made from. */
export const OPENSTACK_SESSION_SETTINGS = [
  'OPENSTACK_CLOUD_NAME',
  'OPENSTACK_TIMEOUT_SECONDS',
  'OPENSTACK_RETRIES',
] as const;

export interface ServiceSessionSettings {
  readonly OPENSTACK_CLOUD_NAME: string;
  readonly OPENSTACK_TIMEOUT_SECONDS: number;
  readonly OPENSTACK_RETRIES: number;
}

export interface ServiceSessionLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/**
 * A service's OpenStack session and its HTTP client (to close on shutdown). The cloud is read at
 * the first call, so a service without one still runs (dry runs need none) and a job that does
 * fails naming what is missing; whether one is configured is logged at start-up.
 */
export function serviceSession(
  settings: ServiceSessionSettings,
  log: ServiceSessionLog,
): {
  session: OpenStackSession;
  http: OpenStackHttp;
} {
  // OS_CLOUD, OS_CLIENT_CONFIG_FILE and the other OS_* count from .env too, the environment winning.
  const cloud = () => loadCloudConfig({ cloud: settings.OPENSTACK_CLOUD_NAME, env: environment() });
  try {
    log.info({ cloud: cloud().name, from: cloud().source }, 'OpenStack cloud configured');
  } catch (error) {
    log.warn(
      { error: (error as Error).message },
      'no OpenStack cloud configured: jobs that deploy will fail',
    );
  }
  const http = new OpenStackHttp({
    timeoutMs: settings.OPENSTACK_TIMEOUT_SECONDS * 1000,
    retries: settings.OPENSTACK_RETRIES,
  });
  return { session: new OpenStackSession(cloud, http), http };
}
