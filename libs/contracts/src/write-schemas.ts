// Build step: writes the published JSON Schema files from the TypeBox definitions (the single source).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { jsonSchemaFiles } from './json-schemas.ts';

const root = join(import.meta.dirname, '..', 'schemas');
rmSync(root, { recursive: true, force: true });
const files = jsonSchemaFiles();
for (const [path, content] of files) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}
process.stdout.write(`wrote ${files.size} JSON Schemas under ${root}\n`);
