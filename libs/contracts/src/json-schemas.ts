import { commandSchemas } from './commands/index.ts';
import { eventSchemas } from './events/index.ts';
import { SCHEMA_VERSION, type TSchema } from './schema.ts';

/** The published JSON Schema files: relative path under `schemas/` → file content. */
export function jsonSchemaFiles(): Map<string, string> {
  const files = new Map<string, string>();
  const add = (kind: string, schema: TSchema) => {
    const title = (schema as { title: string }).title;
    const document = { $schema: 'http://json-schema.org/draft-07/schema#', ...schema };
    files.set(
      `${SCHEMA_VERSION}/${kind}/${title}.schema.json`,
      `${JSON.stringify(document, null, 2)}\n`,
    );
  };
  for (const schema of commandSchemas) add('commands', schema);
  for (const schema of eventSchemas) add('events', schema);
  return files;
}
