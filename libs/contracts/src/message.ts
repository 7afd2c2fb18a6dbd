import { CommandMetadata, EventMetadata } from './metadata.ts';
import { SCHEMA_VERSION, Type, type TSchema } from './schema.ts';
import type { CommandSubject } from './subjects.ts';

/** An event schema: `{ type, data, metadata }`, closed, with a stable `$id`. */
export const defineEvent = <const T extends string, D extends TSchema>(
  type: T,
  description: string,
  data: D,
) =>
  identified<T>()(
    Type.Object(
      { type: Type.Literal(type), data, metadata: EventMetadata },
      {
        $id: `urn:ferry:${SCHEMA_VERSION}:event:${type}`,
        title: type,
        description,
        additionalProperties: false,
      },
    ),
  );

/** A command schema: like an event, plus the subject it is published on. */
export const defineCommand = <const T extends string, D extends TSchema>(
  type: T,
  subject: CommandSubject,
  description: string,
  data: D,
) =>
  identified<T>()(
    Type.Object(
      { type: Type.Literal(type), data, metadata: CommandMetadata },
      {
        $id: `urn:ferry:${SCHEMA_VERSION}:command:${type}`,
        title: type,
        description: `${description} Published on \`${subject}\`.`,
        additionalProperties: false,
      },
    ),
  );

/** Keeps the `$id`, `title` and `description` given as options visible in the schema's type. */
const identified =
  <T extends string>() =>
  <S extends TSchema>(schema: S) =>
    schema as S & { readonly $id: string; readonly title: T; readonly description: string };
