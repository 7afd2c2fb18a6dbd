#!/usr/bin/env -S node --conditions=ferry-source
// ferry: Ferry's command line. Run with Node 24 (npx ferry, or npm exec ferry).
import { discover } from './discover.ts';
import { openstack } from './openstack-health.ts';

const [command, ...args] = process.argv.slice(2);
const commands: Record<string, (args: string[]) => Promise<number>> = { discover, openstack };
const usage = `usage: ferry <command> [options]

commands:
  discover   print the inventory of the VMware sources as JSON (no NATS needed)
             --workstation DIR (repeatable)  --esxi HOST  --vcenter HOST
             --username USER  --insecure  --thumbprint AA:BB:...
             passwords come from VMWARE_ESXI_PASSWORD / VMWARE_VCENTER_PASSWORD, never from the command line;
             without source options, the sources configured in the environment (.env) are used
  openstack health
             each OpenStack service (Keystone, Glance, Nova, Neutron, Cinder): reachable, its API version
             --cloud NAME (else OS_CLOUD, else OPENSTACK_CLOUD_NAME), from clouds.yaml or the OS_* variables
`;

const run = command ? commands[command] : undefined;
if (!run) {
  process.stderr.write(command ? `ferry: unknown command '${command}'\n\n${usage}` : usage);
  process.exit(2);
}
process.exit(await run(args));
