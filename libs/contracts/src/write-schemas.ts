// Build step: writes the published JSON Schema files and the AsyncAPI document from the TypeBox
// definitions (the single source).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ASYNCAPI_FILE, asyncApiYaml } from './asyncapi.ts';
import { jsonSchemaFiles } from './json-schemas.ts';

const root = join(import.meta.dirname, '..', 'schemas');
rmSync(root, { recursive: true, force: true });
const files = jsonSchemaFiles();
for (const [path, content] of files) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}
writeFileSync(ASYNCAPI_FILE, asyncApiYaml());
process.stdout.write(`wrote ${files.size} JSON Schemas under ${root}, and ${ASYNCAPI_FILE}\n`);
