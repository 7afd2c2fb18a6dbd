import type { NicAddress } from '@ferry/contracts';
import { ifcfgInterfaces } from './ifcfg.ts';
import { ifupdownInterfaces } from './ifupdown.ts';
import { netplanInterfaces } from './netplan.ts';
import { keyfileInterfaces } from './nm-keyfile.ts';

/** One interface as a guest's own network configuration sets it up. */
export interface GuestInterfaceConfig {
  /** The kernel's name for it (eth0, ens33); null when only a MAC names it. */
  readonly device: string | null;
  /** Lower case, `aa:bb:cc:dd:ee:ff`. */
  readonly mac: string | null;
  /** IPv4 by DHCP. */
  readonly dhcp: boolean;
  /** Static addresses, in the order the file gives them. */
  readonly addresses: readonly NicAddress[];
  /** The guest path it was read from. */
  readonly file: string;
}

export type GuestNetworkParser = (text: string, file: string) => GuestInterfaceConfig[];

// Editors' and package managers' leftovers, which the guest's own tools skip too.
const LEFTOVER = /(^\.|~$|\.(bak|old|orig|rpmnew|rpmorig|rpmsave|dpkg-[a-z]+|swp|tmp)$)/i;

const PARSERS: readonly (readonly [RegExp, GuestNetworkParser])[] = [
  [/^\/etc\/network\/(interfaces|interfaces\.d\/[^/]+)$/, ifupdownInterfaces],
  [/^\/etc\/netplan\/[^/]+\.yaml$/, netplanInterfaces],
  [/^\/etc\/NetworkManager\/system-connections\/[^/]+$/, keyfileInterfaces],
  [/^\/etc\/sysconfig\/network(-scripts)?\/ifcfg-[^/]+$/, ifcfgInterfaces],
];

function parserOf(path: string): GuestNetworkParser | undefined {
  if (LEFTOVER.test(path.slice(path.lastIndexOf('/') + 1))) return undefined;
  return PARSERS.find(([pattern]) => pattern.test(path))?.[1];
}

/** Whether a guest path is a network configuration that guestInterfaces reads. */
export const isGuestNetworkFile = (path: string): boolean => parserOf(path) !== undefined;

/** Every interface the guest's files configure, by guest path, in the order of the paths. */
export function guestInterfaces(files: ReadonlyMap<string, string>): GuestInterfaceConfig[] {
  return [...files.keys()].sort().flatMap((path) => {
    const parse = parserOf(path);
    return parse ? parse(files.get(path) ?? '', path) : [];
  });
}
