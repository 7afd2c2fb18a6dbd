import { buildSchema, parse, validate } from 'graphql';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';

import type {
  MigrationQuery,
  MigrationQueryVariables,
  SourcesQueryVariables,
} from './generated/graphql.ts';
import type { Operation, VariablesArg } from './operation.ts';
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

// Checked by the type check (`npm run typecheck`), where a wrong type fails the build.
describe("each operation's types", () => {
  type Answer<O> = O extends Operation<infer T, unknown> ? T : never;
  type Arguments<O> = O extends Operation<unknown, infer V> ? VariablesArg<V> : never;

  it('ties what it answers and the variables it takes to its text', () => {
    expectTypeOf<Answer<typeof operations.MIGRATION_QUERY>>().toEqualTypeOf<MigrationQuery>();
    // A job's query needs its id; the sources' query needs nothing, so it may be sent without.
    expectTypeOf<Arguments<typeof operations.MIGRATION_QUERY>>().toEqualTypeOf<
      [MigrationQueryVariables]
    >();
    expectTypeOf<Arguments<typeof operations.SOURCES_QUERY>>().toEqualTypeOf<
      [SourcesQueryVariables?]
    >();
    expectTypeOf<{ jobId: string }>().not.toExtend<MigrationQueryVariables>();
    expectTypeOf<{ id: string }>().toExtend<MigrationQueryVariables>();
  });
});
