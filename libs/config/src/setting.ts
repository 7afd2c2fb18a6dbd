import { delimiter, resolve } from 'node:path';

/** One configuration variable: its name, what it means, and how its text becomes a value. */
export interface Setting<T> {
  readonly name: string;
  readonly description: string;
  /** Secret values are never echoed, not even in an error message. */
  readonly secret: boolean;
  /** What `.env.example` shows. */
  readonly example: string;
  /** Parses the raw text (undefined when unset); throws a message naming what was expected. */
  readonly parse: (raw: string | undefined) => T;
}

export type ValueOf<S> = S extends Setting<infer T> ? T : never;

/** A setting before the catalogue gives it its name (the variable's name is its key there). */
export type Unnamed<T> = Omit<Setting<T>, 'name'>;

/** Names each setting after its key. */
export const named = <D extends Record<string, Unnamed<unknown>>>(definitions: D) =>
  Object.fromEntries(Object.entries(definitions).map(([name, d]) => [name, { ...d, name }])) as {
    readonly [K in keyof D]: D[K] & { readonly name: K };
  };

interface Common {
  readonly description: string;
  readonly secret?: boolean;
}

const define = <T>(
  common: Common,
  example: string,
  parse: (raw: string | undefined) => T,
): Unnamed<T> => ({
  description: common.description,
  secret: common.secret ?? false,
  example,
  parse,
});

const present = (raw: string | undefined): raw is string => raw !== undefined && raw.trim() !== '';

export function boolean(fallback: boolean, common: Common): Unnamed<boolean> {
  return define(common, String(fallback), (raw) => {
    if (!present(raw)) return fallback;
    const value = raw.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(value)) return true;
    if (['false', '0', 'no', 'off'].includes(value)) return false;
    throw new Error('expected true or false');
  });
}

export function integer(
  fallback: number,
  bounds: { min: number; max: number },
  common: Common,
): Unnamed<number> {
  return define(common, String(fallback), (raw) => {
    if (!present(raw)) return fallback;
    const value = Number(raw.trim());
    if (!/^-?\d+$/.test(raw.trim()) || value < bounds.min || value > bounds.max) {
      throw new Error(`expected a whole number from ${bounds.min} to ${bounds.max}`);
    }
    return value;
  });
}

/** Whole numbers separated by commas, each within bounds, at least one. */
export function integers(
  fallback: readonly number[],
  bounds: { min: number; max: number },
  common: Common,
): Unnamed<readonly number[]> {
  return define(common, fallback.join(','), (raw) => {
    if (!present(raw)) return fallback;
    const parts = raw.split(',').map((p) => p.trim());
    if (parts.some((p) => !/^\d+$/.test(p) || Number(p) < bounds.min || Number(p) > bounds.max))
      throw new Error(
        `expected whole numbers from ${bounds.min} to ${bounds.max}, separated by commas`,
      );
    return parts.map(Number);
  });
}

export function oneOf<const V extends readonly string[]>(
  values: V,
  fallback: V[number],
  common: Common,
): Unnamed<V[number]> {
  return define(common, fallback, (raw) => {
    if (!present(raw)) return fallback;
    const value = raw.trim();
    if (!values.includes(value)) throw new Error(`expected one of ${values.join(', ')}`);
    return value as V[number];
  });
}

/** Values from a fixed set, separated by commas; empty (the default) is none. */
export function listOf<const V extends readonly string[]>(
  values: V,
  common: Common,
): Unnamed<readonly V[number][]> {
  return define(common, '', (raw) => {
    if (!present(raw)) return [];
    const parts = raw
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    const unknown = parts.filter((p) => !values.includes(p));
    if (unknown.length > 0)
      throw new Error(
        `expected a comma-separated list of ${values.join(', ')} (${unknown.map((u) => `'${u}'`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} none of them)`,
      );
    return [...new Set(parts)] as V[number][];
  });
}

export function text(fallback: string, common: Common): Unnamed<string> {
  return define(common, common.secret ? '' : fallback, (raw) =>
    present(raw) ? raw.trim() : fallback,
  );
}

/**
 * A name that is one token of a NATS subject and a consumer's name (letters, digits, `-`, `_`);
 * unset, the fallback's.
 */
export function subjectToken(fallback: () => string, common: Common): Unnamed<string> {
  return define(common, '', (raw) => {
    const value = present(raw) ? raw.trim() : fallback();
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(value))
      throw new Error('expected 1 to 64 letters, digits, - or _');
    return value;
  });
}

/** A value that may be left unset (undefined), e.g. a host that is not configured. */
export function optionalText(common: Common & { example?: string }): Unnamed<string | undefined> {
  return define(common, common.example ?? '', (raw) => (present(raw) ? raw.trim() : undefined));
}

export function url(
  fallback: string,
  protocols: readonly string[],
  common: Common,
): Unnamed<string> {
  return define(common, fallback, (raw) => {
    const value = present(raw) ? raw.trim() : fallback;
    // Several comma-separated URLs name the servers of one cluster.
    for (const one of value.split(',')) {
      let parsed: URL;
      try {
        parsed = new URL(one.trim());
      } catch {
        throw new Error(`expected a URL (${protocols.map((p) => `${p}//…`).join(' or ')})`);
      }
      if (!protocols.includes(parsed.protocol))
        throw new Error(`expected a URL starting ${protocols.map((p) => `${p}//`).join(' or ')}`);
    }
    return value;
  });
}

/** A directory, resolved against the working directory. */
export function path(fallback: string, common: Common): Unnamed<string> {
  return define(common, fallback, (raw) => {
    const value = present(raw) ? raw.trim() : fallback;
    if (value.includes('\0')) throw new Error('expected a path');
    return resolve(value);
  });
}

/** Several directories, separated by commas or the system's path delimiter. */
export function pathList(common: Common & { example?: string }): Unnamed<readonly string[]> {
  return define(common, common.example ?? '', (raw) => {
    if (!present(raw)) return [];
    const parts = raw
      .split(new RegExp(`[,${delimiter}]`))
      .map((p) => p.trim())
      .filter((p) => p !== '');
    if (parts.some((p) => p.includes('\0'))) throw new Error('expected paths');
    return parts.map((p) => resolve(p));
  });
}
