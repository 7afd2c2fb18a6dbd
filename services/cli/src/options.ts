import { BOOT_MODES, CONVERSION_STRATEGIES, type MigrationOptions } from '@ferry/contracts';
import { UsageError } from './nats.ts';

/** The flags that choose a job's options, for `parseArgs`: `ferry migrate` and `ferry retry` take them. */
export const OPTION_FLAGS = {
  strategy: { type: 'string' },
  'boot-mode': { type: 'string' },
  flavor: { type: 'string' },
  network: { type: 'string', multiple: true },
  'keep-mac': { type: 'boolean' },
  'keep-ips': { type: 'boolean' },
  'availability-zone': { type: 'string' },
  'security-group': { type: 'string', multiple: true },
  'key-name': { type: 'string' },
  'volume-type': { type: 'string' },
  'server-name': { type: 'string' },
} as const;

export const OPTIONS_USAGE = `--strategy virt-v2v|qemu-img|auto  --boot-mode image|volume|auto  --flavor NAME
             --network SOURCE=TARGET (repeatable)  --keep-mac  --keep-ips
             --availability-zone ZONE  --security-group NAME|ID (repeatable)  --key-name KEYPAIR
             --volume-type TYPE  --server-name TEMPLATE ({vm}, {job}, {source}; default: the VM's name)`;

type OptionValues = {
  strategy?: string;
  'boot-mode'?: string;
  flavor?: string;
  network?: string[];
  'keep-mac'?: boolean;
  'keep-ips'?: boolean;
  'availability-zone'?: string;
  'security-group'?: string[];
  'key-name'?: string;
  'volume-type'?: string;
  'server-name'?: string;
};

/** The options the flags given choose; the command's schema checks their values. */
export function optionsOf(values: OptionValues): Partial<MigrationOptions> {
  const strategy = oneOf('strategy', values.strategy, CONVERSION_STRATEGIES);
  const bootMode = oneOf('boot-mode', values['boot-mode'], BOOT_MODES);
  // Built from a Map: a network named `__proto__` or `toString` is a name like any other.
  const mapping = new Map<string, string>();
  for (const pair of values.network ?? []) {
    const at = pair.indexOf('=');
    const [from, to] = [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
    if (at < 0 || !from || !to)
      throw new UsageError(
        `--network: SOURCE=TARGET (a source network and a Neutron network), not '${pair}'`,
      );
    if (mapping.has(from)) throw new UsageError(`--network: '${from}' is mapped twice`);
    mapping.set(from, to);
  }
  const groups = values['security-group'];
  const twice = groups?.find((g, i) => groups.indexOf(g) !== i);
  if (twice !== undefined) throw new UsageError(`--security-group: '${twice}' is given twice`);
  return {
    ...(strategy && { strategy }),
    ...(bootMode && { bootMode }),
    ...(values.flavor !== undefined && { flavor: values.flavor }),
    ...(values.network && { networkMapping: Object.fromEntries(mapping) }),
    ...(values['keep-mac'] && { keepMac: true }),
    ...(values['keep-ips'] && { keepIps: true }),
    ...(values['availability-zone'] !== undefined && {
      availabilityZone: values['availability-zone'],
    }),
    ...(groups && { securityGroups: groups }),
    ...(values['key-name'] !== undefined && { keyName: values['key-name'] }),
    ...(values['volume-type'] !== undefined && { volumeType: values['volume-type'] }),
    ...(values['server-name'] !== undefined && { serverName: values['server-name'] }),
  };
}

function oneOf<V extends string>(name: string, value: string | undefined, allowed: readonly V[]) {
  if (value !== undefined && !allowed.includes(value as V))
    throw new UsageError(`--${name}: one of ${allowed.join(', ')}, not '${value}'`);
  return value as V | undefined;
}
