import type { MigrationOptions, ValidationCheck, VmDescription } from '@ferry/contracts';
import type { NicOnTarget, Port } from '@ferry/openstack';

/** What validation learnt of the guest's own addresses: how they were read, or why they could not be. */
export interface GuestAddressesRead {
  readonly how: 'guest-tools' | 'guest-config' | 'none';
  /** Why none were read (no guest tools report, the guest's disk unreadable, ...). */
  readonly problem?: string;
}

const holder = (p: Port) =>
  `port ${p.name ? `${p.name} ` : ''}(${p.id}${p.device_owner ? `, ${p.device_owner}` : ''}${p.device_id ? ` of ${p.device_id}` : ''})`;
const nicName = (n: NicOnTarget) => `NIC ${n.nic.index}${n.nic.mac ? ` (${n.nic.mac})` : ''}`;
const check = (name: string, outcome: ValidationCheck['outcome'], lines: string[]) => ({
  name,
  outcome,
  detail: lines.join('; ').slice(0, 2048),
});

/**
 * Whether the NICs' identity can be kept on the target, per NIC, and what will happen: the MAC
 * free, each address in a subnet of the mapped network (else DHCP, a warning) and free (else the
 * job fails here, naming the port that holds it). Pure; `nics` is undefined on a dry run.
 */
export function identityChecks(
  vm: VmDescription,
  options: Pick<MigrationOptions, 'keepMac' | 'keepIps'>,
  nics: readonly NicOnTarget[] | undefined,
  read: GuestAddressesRead,
): ValidationCheck[] {
  const checks: ValidationCheck[] = [];
  if (options.keepMac && vm.nics.length > 0) {
    if (!nics) checks.push(check('keep-mac', 'skipped', ['deployment is a dry run']));
    else {
      const held = nics.filter((n) => n.macHolder);
      checks.push(
        held.length > 0
          ? check(
              'keep-mac',
              'failed',
              held.map(
                (n) => `${nicName(n)}: the MAC is already on ${holder(n.macHolder as Port)}`,
              ),
            )
          : check(
              'keep-mac',
              'passed',
              nics.map((n) =>
                n.nic.mac ? `${nicName(n)}: MAC kept` : `NIC ${n.nic.index}: no MAC to keep`,
              ),
            ),
      );
    }
  }
  if (!options.keepIps || vm.nics.length === 0) return checks;
  const found = vm.nics.filter((n) => n.addresses?.length).length;
  if (found === 0) {
    checks.push(
      check('keep-addresses', 'warning', [
        `no static address found for any NIC${read.problem ? ` (${read.problem})` : ''}: every port gets its address by DHCP`,
      ]),
    );
    return checks;
  }
  if (!nics) {
    checks.push(check('keep-addresses', 'skipped', ['deployment is a dry run']));
    return checks;
  }
  const failed: string[] = [];
  const warned: string[] = [];
  const kept: string[] = [];
  for (const n of nics) {
    if (n.placements.length === 0) {
      kept.push(`${nicName(n)}: no static address, DHCP`);
      continue;
    }
    for (const { address, subnet } of n.placements) {
      const text = `${address.ip}/${address.prefix}`;
      const holders = n.addressHolders.filter((h) => h.ip === address.ip);
      if (!subnet)
        warned.push(
          `${nicName(n)}: ${text} fits no subnet of network ${n.networkId}: the port gets an address by DHCP`,
        );
      else if (subnet.gateway_ip === address.ip)
        failed.push(`${nicName(n)}: ${text} is the gateway of subnet ${subnet.name || subnet.id}`);
      else if (holders.length > 0)
        failed.push(
          `${nicName(n)}: ${text} is already held by ${holders.map((h) => holder(h.port)).join(', ')}`,
        );
      else
        kept.push(
          `${nicName(n)}: ${text} kept in subnet ${subnet.name || subnet.id} (${subnet.cidr})`,
        );
    }
  }
  const how = read.how === 'guest-tools' ? "VMware Tools' report" : "the guest's own configuration";
  checks.push(
    check(
      'keep-addresses',
      failed.length > 0 ? 'failed' : warned.length > 0 ? 'warning' : 'passed',
      [...failed, ...warned, ...kept, `addresses read from ${how}`],
    ),
  );
  return checks;
}
