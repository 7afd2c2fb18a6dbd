import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { commandSchemas } from './commands/index.ts';
import { eventSchemas } from './events/index.ts';
import { jsonSchemaFiles } from './json-schemas.ts';
import { COMMAND_SUBJECTS } from './subjects.ts';

const schemasDir = join(import.meta.dirname, '..', 'schemas');
const filesOnDisk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesOnDisk(join(dir, e.name)) : [relative(schemasDir, join(dir, e.name))],
  );

describe('published JSON Schemas', () => {
  const generated = jsonSchemaFiles();

  it('has one file per command and per event', () => {
    expect(generated.size).toBe(commandSchemas.length + eventSchemas.length);
    const ids = [...commandSchemas, ...eventSchemas].map((s) => s.$id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(commandSchemas.map((s) => s.title).sort()).toEqual(Object.keys(COMMAND_SUBJECTS).sort());
  });

  it('are not stale: the files on disk are exactly what the build writes (run `npm run schemas -w @ferry/contracts`)', () => {
    expect(filesOnDisk(schemasDir).sort()).toEqual([...generated.keys()].sort());
    for (const [path, content] of generated) {
      expect(readFileSync(join(schemasDir, path), 'utf8'), path).toBe(content);
    }
  });

  it('each file is a standalone draft-07 schema that another validator compiles', () => {
    const other = new Ajv({ strict: true, allowUnionTypes: true });
    for (const [path, content] of generated) {
      const schema = JSON.parse(content) as { $schema: string; additionalProperties: boolean };
      expect(schema.$schema, path).toBe('http://json-schema.org/draft-07/schema#');
      expect(schema.additionalProperties, path).toBe(false);
      expect(() => other.compile(schema), path).not.toThrow();
    }
  });
});
