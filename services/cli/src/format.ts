import { stringify } from 'yaml';
import { UsageError } from './nats.ts';

/** How a command prints what it found, as `openstack` does: `-f table|json|yaml`, `--json` for short. */
export const FORMATS = ['table', 'json', 'yaml'] as const;
export type Format = (typeof FORMATS)[number];

export const FORMAT_FLAGS = {
  format: { type: 'string', short: 'f' },
  json: { type: 'boolean', default: false },
} as const;

/** The format the flags ask for: a table unless told otherwise. */
export function formatOf(values: {
  format?: string | undefined;
  json?: boolean | undefined;
}): Format {
  const { format, json } = values;
  if (format !== undefined && !(FORMATS as readonly string[]).includes(format))
    throw new UsageError(`-f: one of ${FORMATS.join(', ')}, not '${format}'`);
  if (json && format !== undefined && format !== 'json')
    throw new UsageError(`--json and -f ${format} ask for two formats`);
  return json ? 'json' : ((format as Format | undefined) ?? 'table');
}

/** A whole answer, in a machine's format. */
export const document = (format: Exclude<Format, 'table'>, value: unknown): string =>
  format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : stringify(value);

/** One record of a stream (an event, a log line): a JSON line, or a YAML document of its own. */
export const record = (format: Exclude<Format, 'table'>, value: unknown): string =>
  format === 'json' ? `${JSON.stringify(value)}\n` : `---\n${stringify(value)}`;
