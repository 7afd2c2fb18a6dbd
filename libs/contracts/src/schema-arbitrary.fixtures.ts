// Shared by the fuzz specs: the values a message schema accepts, generated from the schema itself
// (the keywords Ferry's TypeBox definitions use), so that a schema added later is covered too.
import fc from 'fast-check';

export interface JsonSchema {
  readonly type?: string;
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly JsonSchema[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly patternProperties?: Readonly<Record<string, JsonSchema>>;
  readonly propertyNames?: JsonSchema;
  readonly maxProperties?: number;
  readonly items?: JsonSchema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
}

/** Names that mean something to JavaScript objects: a validator must treat them as any other. */
export const PROTOTYPE_NAMES = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
];

// Kept short: a long valid value says no more than a short one, and slows every run.
const MAX_GENERATED = 40;

/** Any value `schema` accepts. */
export function accepted(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map(accepted));
  switch (schema.type) {
    case 'object':
      return schema.patternProperties ? mapOf(schema) : objectOf(schema);
    case 'array': {
      const items = accepted(schema.items ?? {});
      const size = {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? MAX_GENERATED, 8),
      };
      return schema.uniqueItems
        ? fc.uniqueArray(items, { ...size, selector: (v) => JSON.stringify(v) })
        : fc.array(items, size);
    }
    case 'string':
      return stringOf(schema);
    case 'integer':
      return fc.integer({
        min: schema.minimum ?? Number.MIN_SAFE_INTEGER,
        max: schema.maximum ?? Number.MAX_SAFE_INTEGER,
      });
    case 'number':
      return fc.double({
        min: schema.minimum ?? -Number.MAX_VALUE,
        max: schema.maximum ?? Number.MAX_VALUE,
        noNaN: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
  }
  throw new Error(`no arbitrary for the schema ${JSON.stringify(schema)}`);
}

function objectOf(schema: JsonSchema): fc.Arbitrary<unknown> {
  const properties = Object.entries(schema.properties ?? {});
  return fc.record(Object.fromEntries(properties.map(([name, s]) => [name, accepted(s)])), {
    requiredKeys: [...(schema.required ?? [])],
    noNullPrototype: true,
  });
}

function mapOf(schema: JsonSchema): fc.Arbitrary<unknown> {
  const [values] = Object.values(schema.patternProperties ?? {});
  const names = fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), stringOf(schema.propertyNames ?? {}));
  return fc.dictionary(names, accepted(values ?? {}), {
    maxKeys: Math.min(schema.maxProperties ?? MAX_GENERATED, 8),
    noNullPrototype: true,
  });
}

function stringOf(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? MAX_GENERATED, MAX_GENERATED);
  if (schema.pattern === undefined) return fc.string({ unit: 'binary', minLength, maxLength });
  // A pattern may fix its own length (a digest's 64): only the schema's own bound cuts it short.
  return fc
    .stringMatching(
      new RegExp(schema.pattern, 'u'),
      schema.maxLength === undefined ? {} : { maxLength },
    )
    .filter((s) => s.length >= minLength);
}
