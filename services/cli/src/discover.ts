import { parseArgs } from 'node:util';
import { ConfigError, environment, loadConfig } from '@ferry/config';
import {
  configuredSources,
  SOURCE_SETTINGS,
  vsphereSource,
  workstationSource,
  type InventorySource,
} from '@ferry/vmware';

/** `ferry discover`: the inventory of every source as JSON on stdout; exit 1 when a source failed. */
export async function discover(args: string[]): Promise<number> {
  let sources: InventorySource[];
  try {
    sources = fromArgs(args) ?? configuredSources(loadConfig(SOURCE_SETTINGS, environment()));
  } catch (error) {
    process.stderr.write(
      `ferry discover: ${error instanceof ConfigError ? error.message : (error as Error).message}\n`,
    );
    return 2;
  }
  if (sources.length === 0) {
    process.stderr.write(
      'ferry discover: no source: give --workstation, --esxi or --vcenter, or set VMWARE_WORKSTATION_PATHS / VMWARE_ESXI_HOST / VMWARE_VCENTER_HOST\n',
    );
    return 2;
  }
  const results = await Promise.all(
    sources.map(async (source) => {
      try {
        return { source: source.ref, ...(await source.scan()) };
      } catch (error) {
        return { source: source.ref, error: (error as Error).message };
      }
    }),
  );
  process.stdout.write(`${JSON.stringify({ sources: results }, null, 2)}\n`);
  return results.some((r) => 'error' in r) ? 1 : 0;
}

export const DISCOVER_FLAGS = {
  workstation: { type: 'string', multiple: true },
  esxi: { type: 'string' },
  vcenter: { type: 'string' },
  username: { type: 'string' },
  insecure: { type: 'boolean', default: false },
  thumbprint: { type: 'string' },
} as const;

function fromArgs(args: string[]): InventorySource[] | undefined {
  const { values } = parseArgs({ args, options: DISCOVER_FLAGS, strict: true });
  if (!values.workstation && !values.esxi && !values.vcenter) return undefined;
  const sources = (values.workstation ?? []).map(workstationSource);
  for (const [kind, host, envVar] of [
    ['esxi', values.esxi, 'VMWARE_ESXI_PASSWORD'],
    ['vcenter', values.vcenter, 'VMWARE_VCENTER_PASSWORD'],
  ] as const) {
    if (!host) continue;
    const password = process.env[envVar];
    if (!values.username || !password)
      throw new Error(`--${kind} needs --username and the password in ${envVar}`);
    sources.push(
      vsphereSource(kind, {
        url: host,
        username: values.username,
        password,
        insecure: values.insecure,
        ...(values.thumbprint ? { thumbprint: values.thumbprint } : {}),
      }),
    );
  }
  return sources;
}
