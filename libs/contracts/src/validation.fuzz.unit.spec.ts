import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commandSubject } from './command-subject.ts';
import { commandSchemas } from './commands/index.ts';
import { REJECTION_REASONS } from './events/rejection.ts';
import { accepted, PROTOTYPE_NAMES, type JsonSchema } from './schema-arbitrary.fixtures.ts';
import { COMMAND_SUBJECTS } from './subjects.ts';
import type { FerryCommand } from './types.ts';
import { decodeCommand, type Validation } from './validation.ts';

const commands = commandSchemas.map((schema) => ({
  type: schema.title,
  subject: COMMAND_SUBJECTS[schema.title] as string,
  schema: schema as JsonSchema,
}));
const subjects = commands.map((c) => c.subject);
const aCommand = fc.oneof(
  ...commands.map((c) =>
    accepted(c.schema).map((value) => ({
      ...c,
      // An upload naming its host goes on that host's subject.
      subject: commandSubject(value as FerryCommand),
      text: JSON.stringify(value),
    })),
  ),
);
const aSubject = fc.oneof(fc.constantFrom(...subjects), fc.string());
const aName = fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.string({ unit: 'binary' }));
const aJsonValue = fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' });

const pointer = (path: string) =>
  path === ''
    ? []
    : path
        .slice(1)
        .split('/')
        .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
const own = (value: unknown, name: string) =>
  typeof value === 'object' && value !== null && Object.hasOwn(value, name);
const at = (value: unknown, names: readonly string[]) =>
  names.reduce<unknown>(
    (v, n) => (own(v, n) ? (v as Record<string, unknown>)[n] : undefined),
    value,
  );

/**
 * A rejection as the consumer records it: a reason of the contract's, at least one error, each a
 * message and a JSON pointer into what was sent (to the field itself, or where a missing one belongs).
 */
function expectClearRejection(result: Validation<unknown>, sent?: unknown) {
  if (result.ok) throw new Error('accepted');
  expect(REJECTION_REASONS).toContain(result.reason);
  expect(result.errors.length).toBeGreaterThan(0);
  expect(result.errors.length).toBeLessThanOrEqual(50);
  for (const { path, message } of result.errors) {
    expect(message).toMatch(/\S/);
    if (sent === undefined || path === '') continue;
    expect(path).toMatch(/^\//);
    const names = pointer(path);
    const parent = at(sent, names.slice(0, -1));
    if (message === 'is required') expect(own(parent, names.at(-1) ?? '')).toBe(false);
    else expect(own(parent, names.at(-1) ?? ''), path).toBe(true);
  }
  return result;
}

describe('decodeCommand on whatever arrives', () => {
  it('rejects arbitrary bytes with a typed reason, never throwing', () => {
    const payload = fc.oneof(fc.uint8Array({ maxLength: 512 }), fc.string({ unit: 'binary' }));
    fc.assert(
      fc.property(aSubject, payload, (subject, bytes) => {
        expectClearRejection(decodeCommand(subject, bytes));
      }),
      { numRuns: 3000 },
    );
  });

  it('rejects arbitrary JSON, naming fields that are there', () => {
    fc.assert(
      fc.property(aSubject, aJsonValue, (subject, value) => {
        expectClearRejection(decodeCommand(subject, JSON.stringify(value)), value);
      }),
      { numRuns: 3000 },
    );
  });

  it('rejects command-shaped JSON of any content, naming fields that are there', () => {
    const shaped = fc.record(
      {
        type: fc.oneof(fc.constantFrom(...commands.map((c) => c.type)), aName, aJsonValue),
        data: fc.oneof(aJsonValue, fc.dictionary(aName, aJsonValue)),
        metadata: fc.oneof(
          fc.record({ commandId: fc.oneof(fc.string({ unit: 'binary' }), aJsonValue) }),
          aJsonValue,
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(aSubject, shaped, (subject, value) => {
        const text = JSON.stringify(value);
        const result = decodeCommand(subject, text);
        if (!result.ok) expectClearRejection(result, JSON.parse(text));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('decodeCommand on commands generated from their schemas', () => {
  it('accepts every valid command on its subject, as sent', () => {
    fc.assert(
      fc.property(aCommand, ({ subject, text }) => {
        const result = decodeCommand(subject, new TextEncoder().encode(text));
        expect(result).toEqual({ ok: true, value: JSON.parse(text) });
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects a valid command on any other subject, naming both', () => {
    fc.assert(
      fc.property(aCommand, aSubject, ({ type, subject, text }, other) => {
        fc.pre(other !== subject);
        expect(expectClearRejection(decodeCommand(other, text)).errors).toEqual([
          { path: '/type', message: `${type} is published on ${subject}, not on ${other}` },
        ]);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects a valid command with one field spoilt, naming that field', () => {
    fc.assert(
      fc.property(aCommand, aMutation, ({ subject, schema, text }, mutation) => {
        const command = JSON.parse(text) as unknown;
        const expected = spoil(command, schema, mutation);
        fc.pre(expected !== undefined);
        const sent = JSON.stringify(command);
        const result = expectClearRejection(decodeCommand(subject, sent), JSON.parse(sent));
        expect(result.reason).toBe('invalid');
        expect(result.errors).toContainEqual(expected);
      }),
      { numRuns: 4000 },
    );
  });
});

const aMutation = fc.record({
  kind: fc.constantFrom('missing', 'extra', 'wrong-type', 'too-long', 'unicode', 'long-name'),
  site: fc.nat(),
  name: aName,
  value: aJsonValue,
  extraLength: fc.oneof({ arbitrary: fc.nat(8), weight: 4 }, fc.nat(100_000)),
  char: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => c > '\x7e'),
});
type Mutation = typeof aMutation extends fc.Arbitrary<infer M> ? M : never;

interface Site {
  readonly path: string;
  readonly schema: JsonSchema;
  readonly holder: Record<string, unknown>;
  readonly name: string;
  readonly required: boolean;
}

const child = (path: string, name: string) =>
  `${path}/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`;

/** Every field of a valid message (array items included), with the schema it answers to. */
function sitesOf(value: unknown, schema: JsonSchema, path = '', out: Site[] = []): Site[] {
  if (typeof value !== 'object' || value === null) return out;
  const holder = value as Record<string, unknown>;
  for (const name of Object.keys(holder)) {
    const sub = Array.isArray(value)
      ? schema.items
      : (schema.properties?.[name] ?? Object.values(schema.patternProperties ?? {})[0]);
    if (!sub) continue;
    const site = {
      path: child(path, name),
      schema: sub,
      holder,
      name,
      required: schema.required?.includes(name) ?? false,
    };
    out.push(site);
    sitesOf(holder[name], sub, site.path, out);
  }
  return out;
}

/** The objects of a valid message, the message itself first, with the path to each. */
const objectsOf = (message: unknown, schema: JsonSchema) => [
  { path: '', schema, value: message as Record<string, unknown> },
  ...sitesOf(message, schema)
    .filter((s) => s.schema.type === 'object')
    .map((s) => ({
      path: s.path,
      schema: s.schema,
      value: s.holder[s.name] as Record<string, unknown>,
    })),
];

const jsonType = (v: unknown) =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' ? 'number' : typeof v;
const typesOf = (s: JsonSchema): string[] =>
  s.anyOf
    ? s.anyOf.flatMap(typesOf)
    : [...(s.enum ?? [s.const]).filter((v) => v !== undefined).map(jsonType), s.type ?? ''].map(
        (t) => (t === 'integer' ? 'number' : t),
      );

const pick = <T>(items: readonly T[], n: number) => items[n % items.length];
const define = (holder: object, name: string, value: unknown) =>
  Object.defineProperty(holder, name, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });

/**
 * Spoils one field of a valid message in place; the error that must name it, or undefined when the
 * message has no field this mutation applies to.
 */
function spoil(message: unknown, schema: JsonSchema, m: Mutation) {
  const sites = sitesOf(message, schema);
  switch (m.kind) {
    case 'missing': {
      const site = pick(
        sites.filter((s) => s.required),
        m.site,
      );
      if (!site) return undefined;
      Reflect.deleteProperty(site.holder, site.name);
      return { path: site.path, message: 'is required' };
    }
    case 'extra': {
      const object = pick(
        objectsOf(message, schema).filter((o) => o.schema.properties),
        m.site,
      );
      if (!object || Object.hasOwn(object.schema.properties ?? {}, m.name)) return undefined;
      define(object.value, m.name, m.value);
      return { path: child(object.path, m.name), message: 'is not a known field' };
    }
    case 'wrong-type': {
      const site = pick(sites, m.site);
      if (!site || typesOf(site.schema).includes(jsonType(m.value))) return undefined;
      site.holder[site.name] = m.value;
      return expect.objectContaining({ path: site.path });
    }
    case 'too-long': {
      const site = pick(
        sites.filter((s) => s.schema.maxLength !== undefined),
        m.site,
      );
      if (!site) return undefined;
      site.holder[site.name] = 'a'.repeat((site.schema.maxLength ?? 0) + 1 + m.extraLength);
      return {
        path: site.path,
        message: `must NOT have more than ${site.schema.maxLength} characters`,
      };
    }
    case 'unicode': {
      // Every pattern of Ferry's is ASCII: ids travel in NATS subjects, times are RFC 3339.
      const site = pick(
        sites.filter((s) => s.schema.pattern !== undefined),
        m.site,
      );
      if (!site) return undefined;
      site.holder[site.name] = `${String(site.holder[site.name]).slice(1)}${m.char}`;
      return expect.objectContaining({ path: site.path });
    }
    case 'long-name': {
      const map = pick(
        objectsOf(message, schema).filter((o) => o.schema.propertyNames),
        m.site,
      );
      const limit = map?.schema.propertyNames?.maxLength;
      if (!map || limit === undefined) return undefined;
      const name = `${m.name}${'n'.repeat(limit + 1)}`;
      define(map.value, name, '');
      return {
        path: child(map.path, name),
        message: `its name must NOT have more than ${limit} characters`,
      };
    }
  }
}
