import { buildSchema, parse, validate } from 'graphql';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import * as operations from './operations.ts';

const schema = buildSchema(
  readFileSync(
    join(import.meta.dirname, '..', '..', '..', 'gateway', 'src', 'schema.graphql'),
    'utf8',
  ),
);

// Codegen reads each fragment apart; what is sent is the text with its fragments appended, which
// the gateway refuses if one is missing, repeated or unused.
describe('each operation as sent', () => {
  it.each(Object.entries(operations))('%s is valid against the schema', (_, text) => {
    expect(validate(schema, parse(text)).map((e) => e.message)).toEqual([]);
  });
});
