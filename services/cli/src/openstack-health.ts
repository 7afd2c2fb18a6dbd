import { parseArgs } from 'node:util';
import { ConfigError, environment, loadConfig } from '@ferry/config';
import {
  CloudConfigError,
  loadCloudConfig,
  OpenStackHttp,
  OpenStackSession,
  openstackHealth,
} from '@ferry/openstack';
import { table } from './describe.ts';
import { UsageError } from './nats.ts';
import { document, FORMAT_FLAGS, formatOf, type Format } from './format.ts';

export const OPENSTACK_FLAGS = { ...FORMAT_FLAGS, cloud: { type: 'string' } } as const;

/**
 * `ferry openstack health`: each OpenStack service's reachability and version, a table or a
 * document; exit 1 when one is down.
 */
export async function openstack(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'health') {
    process.stderr.write(
      `ferry openstack: unknown command '${sub ?? ''}' (try: ferry openstack health)\n`,
    );
    return 2;
  }
  let cloudName: string;
  let http: OpenStackHttp;
  let session: OpenStackSession;
  let format: Format;
  try {
    const { values } = parseArgs({ args: rest, options: OPENSTACK_FLAGS });
    format = formatOf(values);
    const config = loadConfig(['OPENSTACK_CLOUD_NAME', 'OPENSTACK_TIMEOUT_SECONDS'], environment());
    // --cloud is the operator's choice here and now: it wins over OS_CLOUD, as --os-cloud does.
    const env = environment();
    const cloud = loadCloudConfig({
      cloud: config.OPENSTACK_CLOUD_NAME,
      env: values.cloud === undefined ? env : { ...env, OS_CLOUD: values.cloud },
    });
    cloudName = cloud.name;
    http = new OpenStackHttp({ timeoutMs: config.OPENSTACK_TIMEOUT_SECONDS * 1000, retries: 0 });
    session = new OpenStackSession(cloud, http);
  } catch (error) {
    if (
      error instanceof ConfigError ||
      error instanceof CloudConfigError ||
      error instanceof TypeError ||
      error instanceof UsageError
    ) {
      process.stderr.write(`ferry openstack health: ${(error as Error).message}\n`);
      return 2;
    }
    throw error;
  }
  try {
    const services = await openstackHealth(session, http);
    if (format !== 'table') process.stdout.write(document(format, { cloud: cloudName, services }));
    else
      process.stdout.write(
        table([
          ['SERVICE', 'TYPE', 'REACHABLE', 'VERSION', 'LATENCY', 'URL', 'ERROR'],
          ...services.map((s) => [
            s.service,
            s.type,
            s.reachable ? 'yes' : 'no',
            s.version ?? '-',
            s.latencyMs === undefined ? '-' : `${s.latencyMs} ms`,
            s.url ?? '-',
            s.error ?? '-',
          ]),
        ]),
      );
    return services.every((s) => s.reachable) ? 0 : 1;
  } finally {
    await http.close();
  }
}
