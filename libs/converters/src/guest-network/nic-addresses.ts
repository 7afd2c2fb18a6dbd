import type { NicAddress, VmNic } from '@ferry/contracts';
import type { GuestInterfaceConfig } from './guest-network.ts';

/** The contract's limit (`VmNic.addresses`). */
export const MAX_NIC_ADDRESSES = 16;

const natural = new Intl.Collator('en', { numeric: true }).compare;

/**
 * The static addresses each NIC gets from the guest's configuration, by `nic.index`; a NIC with
 * none is absent. The rule:
 * 1. A config naming a MAC goes to the NIC with that MAC, or to none: the guest does not apply a
 *    config whose MAC it lacks. A config naming only a device that such a config binds follows it.
 * 2. The other devices, DHCP and unconfigured ones too (they hold a NIC all the same), take the
 *    NICs no MAC matched, in index order, sorted by name in natural order (eth0 < eth1 < eth10,
 *    ens33 < ens34 < ens160): how a guest names NICs by their PCI slots, which follow the VM's order.
 * 3. Configs naming neither, with static addresses, take the NICs still left, in file order.
 * Each IP once (the first prefix given for it), at most 16 per NIC.
 */
export function nicAddresses(
  nics: readonly VmNic[],
  configs: readonly GuestInterfaceConfig[],
): Map<number, NicAddress[]> {
  const byMac = new Map(nics.filter((n) => n.mac).map((n) => [n.mac, n.index]));
  const deviceNic = new Map<string, number>();
  for (const c of configs) {
    const index = c.mac ? byMac.get(c.mac) : undefined;
    if (c.device && index !== undefined && !deviceNic.has(c.device)) deviceNic.set(c.device, index);
  }
  const taken = new Set(
    configs.flatMap((c) => {
      const index = c.mac ? byMac.get(c.mac) : undefined;
      return index === undefined ? [] : [index];
    }),
  );
  const free = nics
    .map((n) => n.index)
    .filter((i) => !taken.has(i))
    .sort((a, b) => a - b);
  // A device that a config binds to a MAC no NIC has is none of the free NICs either.
  const macDevices = new Set(configs.flatMap((c) => (c.mac && c.device ? [c.device] : [])));
  const unbound = [
    ...new Set(configs.flatMap((c) => (c.device && !macDevices.has(c.device) ? [c.device] : []))),
  ].sort(natural);
  for (const device of unbound) {
    const index = free.shift();
    if (index !== undefined) deviceNic.set(device, index);
  }
  const result = new Map<number, NicAddress[]>();
  const add = (index: number | undefined, addresses: readonly NicAddress[]) => {
    if (index === undefined || addresses.length === 0) return;
    const list = result.get(index) ?? [];
    for (const a of addresses)
      if (list.length < MAX_NIC_ADDRESSES && !list.some((b) => b.ip === a.ip)) list.push(a);
    result.set(index, list);
  };
  for (const c of configs) {
    if (c.mac) add(byMac.get(c.mac), c.addresses);
    else if (c.device) add(deviceNic.get(c.device), c.addresses);
    else if (c.addresses.length > 0) add(free.shift(), c.addresses);
  }
  return result;
}
