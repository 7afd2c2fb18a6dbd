import type { OpenStackHttp } from './http/openstack-http.ts';
import { SERVICES, type OpenStackSession, type ServiceType } from './identity/session.ts';

export interface ServiceHealth {
  readonly service: string;
  readonly type: ServiceType;
  readonly reachable: boolean;
  readonly url?: string;
  /** The current API version, with its newest microversion where the service has them: `v2.1 (2.93)`. */
  readonly version?: string;
  readonly latencyMs?: number;
  readonly error?: string;
}

/** The services a job cannot do without; Placement is only asked where the credentials may read it. */
const NEEDED: readonly ServiceType[] = ['identity', 'image', 'compute', 'network', 'block-storage'];

interface VersionDoc {
  id?: string;
  status?: string;
  version?: string;
}

/**
 * Each service Ferry uses: reachable or not, and which API version it serves. Logging in is the
 * identity check; every other service is asked for its version document at its endpoint's root.
 */
export async function openstackHealth(
  session: OpenStackSession,
  http: OpenStackHttp,
): Promise<ServiceHealth[]> {
  const started = Date.now();
  try {
    await session.projectId();
  } catch (error) {
    return NEEDED.map((type) => ({
      service: SERVICES[type].name,
      type,
      reachable: false,
      error:
        type === 'identity'
          ? (error as Error).message
          : 'not checked: logging in to Keystone failed',
    }));
  }
  const identity: ServiceHealth = {
    service: 'keystone',
    type: 'identity',
    reachable: true,
    url: session.cloud.authUrl,
    latencyMs: Date.now() - started,
    version: 'v3',
  };
  const others = NEEDED.filter((t) => t !== 'identity');
  return [identity, ...(await Promise.all(others.map((type) => check(session, http, type))))];
}

async function check(
  session: OpenStackSession,
  http: OpenStackHttp,
  type: ServiceType,
): Promise<ServiceHealth> {
  const service = SERVICES[type].name;
  let url: string;
  try {
    url = await session.endpoint(type);
  } catch (error) {
    return { service, type, reachable: false, error: (error as Error).message };
  }
  const started = Date.now();
  try {
    // Nova's endpoint is its version document; the others list their versions at the root.
    const docUrl = type === 'compute' ? `${url}/` : `${new URL(url).origin}/`;
    // Some deployments guard the version document too: the token goes along.
    const response = await http.send({
      service,
      method: 'GET',
      url: docUrl,
      headers: { 'x-auth-token': await session.token() },
      retries: 0,
      tls: session.cloud.tls,
    });
    return {
      service,
      type,
      reachable: true,
      url,
      latencyMs: Date.now() - started,
      ...versionOf(response.json()),
    };
  } catch (error) {
    return { service, type, reachable: false, url, error: (error as Error).message };
  }
}

function versionOf(doc: {
  version?: VersionDoc;
  versions?: VersionDoc[] | { values?: VersionDoc[] };
}): {
  version?: string;
} {
  const list = doc.version
    ? [doc.version]
    : Array.isArray(doc.versions)
      ? doc.versions
      : (doc.versions?.values ?? []);
  const current = list.find((v) => v.status === 'CURRENT') ?? list[0];
  if (!current?.id) return {};
  return { version: current.version ? `${current.id} (${current.version})` : current.id };
}
