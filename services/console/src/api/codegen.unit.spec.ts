import { generate } from '@graphql-codegen/cli';
import { tempDirs } from '@ferry/tooling/temp-dirs';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import config, { GENERATED, prettierFormat } from '../../codegen.ts';

const packageDir = join(import.meta.dirname, '..', '..');
const committed = () => readFileSync(join(packageDir, GENERATED), 'utf8');
const schemaFile = join(packageDir, '..', 'gateway', 'src', 'schema.graphql');
const tempDir = tempDirs('ferry-codegen-');

/** What `npm run codegen` would write (formatted as its hook does), without writing it. */
async function generated(schema: string = schemaFile): Promise<string> {
  const outputs: readonly { readonly filename: string; readonly content: string }[] =
    await generate({ ...config, schema, cwd: packageDir, silent: true }, false);
  const [output] = outputs;
  if (!output) throw new Error('codegen generated no file');
  return prettierFormat(join(packageDir, GENERATED), output.content);
}

describe("the console's generated GraphQL types", () => {
  it("are what the gateway's schema and the operations generate now", async () => {
    // The diff reads as regenerating would change the file: expected as committed, received as now.
    expect(
      await generated(),
      `${GENERATED} is stale: run \`npm run codegen -w @ferry/console\``,
    ).toBe(committed());
  });

  it('no longer are once the schema changes a field an operation selects', async () => {
    const schema = readFileSync(schemaFile, 'utf8');
    const changed = schema.replace('  cpus: Int!\n', '  cpus: String!\n');
    expect(changed).not.toBe(schema);
    const file = join(tempDir(), 'schema.graphql');
    writeFileSync(file, changed);

    const regenerated = await generated(file);
    expect(regenerated).toContain('readonly cpus: string;');
    expect(regenerated).not.toBe(committed());
  });
});
