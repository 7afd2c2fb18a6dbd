import Type, { type Static, type TSchema } from 'typebox';

/** Deeply readonly: messages are plain data that nobody mutates. */
export type DeepReadonly<T> = T extends (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** The TypeScript type of a schema, read-only. */
export type Infer<S extends TSchema> = DeepReadonly<Static<S>>;

/** Version of the published JSON Schemas; bumped only for a breaking change. */
export const SCHEMA_VERSION = 'v1';

// Every id travels in a NATS subject token, so it may hold neither dots, wildcards nor white space.
const TOKEN = '^[A-Za-z0-9][A-Za-z0-9_:=-]*$';

/** An identifier that is also a valid NATS subject token. */
export const Id = (description: string) =>
  Type.String({ minLength: 1, maxLength: 128, pattern: TOKEN, description });

export const VmKey = Type.String({
  minLength: 1,
  maxLength: 160,
  pattern: TOKEN,
  description:
    'Stable key of a VM within Ferry: the source and the VM within it, as a subject token.',
});

/** A conversion host's name (FERRY_HOST): one token of a subject, which routes uploads to it. */
export const HostName = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9_-]+$',
  description:
    "A conversion host's name (its FERRY_HOST): where a job's converted disks are, and so where they are uploaded from.",
});

export const JobId = Id(
  'A migration job id: deterministic from the creating command id and the VM key.',
);

/** Free text, bounded so that no message can grow without limit. */
export const Text = (maxLength = 1024, description?: string) =>
  Type.String(description === undefined ? { maxLength } : { maxLength, description });

export const Name = Type.String({ minLength: 1, maxLength: 255 });

export const Timestamp = Type.String({
  maxLength: 40,
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$',
  description: 'An RFC 3339 date-time.',
});

export const Sha256 = Type.String({
  pattern: '^[0-9a-f]{64}$',
  description: 'Lower-case hex SHA-256.',
});

export const Bytes = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

export const Count = (maximum = 1_000_000) => Type.Integer({ minimum: 0, maximum });

export const Percent = Type.Number({ minimum: 0, maximum: 100 });

/** A closed set of string values (an enum in JSON Schema). */
export const OneOf = <const V extends readonly string[]>(values: V, description?: string) =>
  Type.Enum<[...V]>([...values], description === undefined ? {} : { description });

/** A map from name to value with a bounded number of entries. */
export const StringMap = (maxProperties = 256, description?: string) =>
  // TypeBox keys a record by `^.*$`, which drops the key's bounds and matches no name holding a
  // line break (leaving its value unchecked): every name matches here, and is bounded apart.
  Type.Record(Type.String({ pattern: '^[\\s\\S]*$' }), Type.String({ maxLength: 1024 }), {
    maxProperties,
    propertyNames: { type: 'string', maxLength: 255 },
    ...(description === undefined ? {} : { description }),
  });

/** A closed object: unknown fields are an error, so a misspelt field never passes silently. */
export const Closed = <P extends Parameters<typeof Type.Object>[0]>(
  properties: P,
  description?: string,
) =>
  Type.Object(properties, {
    additionalProperties: false,
    ...(description === undefined ? {} : { description }),
  });

export { Type, type Static, type TSchema };
