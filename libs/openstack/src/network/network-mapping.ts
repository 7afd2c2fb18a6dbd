import type { VmNic } from '@ferry/contracts';

/** `VM Network=private,DMZ=dmz-net`: source network names to Neutron network names or ids. */
export function parseNetworkMapping(text: string): Record<string, string> {
  const mapping: Record<string, string> = {};
  for (const pair of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const at = pair.lastIndexOf('=');
    const from = pair.slice(0, at).trim();
    const to = pair.slice(at + 1).trim();
    if (at <= 0 || !from || !to)
      throw new Error(`OPENSTACK_NETWORK_MAPPING: "${pair}" is not source=target`);
    mapping[from] = to;
  }
  return mapping;
}

/**
 * The Neutron network each NIC goes on: the job's mapping, else the configured one, else the
 * mapping's `*` entry. A NIC with none is a problem named in full.
 */
export function targetNetworks(
  nics: readonly VmNic[],
  jobMapping: Readonly<Record<string, string>>,
  configured: Readonly<Record<string, string>>,
): { targets: string[] } | { problem: string } {
  const targets: string[] = [];
  for (const nic of nics) {
    const target =
      jobMapping[nic.network] ?? configured[nic.network] ?? jobMapping['*'] ?? configured['*'];
    if (!target)
      return {
        problem: `NIC ${nic.index} is on source network "${nic.network}", which maps to no OpenStack network (set the job's networkMapping or OPENSTACK_NETWORK_MAPPING)`,
      };
    targets.push(target);
  }
  return { targets };
}
