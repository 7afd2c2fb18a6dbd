import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { costLimit } from './complexity.ts';

const schema = buildSchema(readFileSync(join(import.meta.dirname, '..', 'schema.graphql'), 'utf8'));
const rule = costLimit(50_000, new Set(['inventory', 'timeline']));
const errorsOf = (query: string) =>
  validate(schema, parse(query), [...specifiedRules, rule]).map((e) => e.message);

describe('the cost limit', () => {
  it("lets the console's queries through", () => {
    expect(
      errorsOf(
        '{ migrations(first: 100) { edges { node { id state disks { percent } stages { stage } } } } }',
      ),
    ).toEqual([]);
    expect(errorsOf('{ migration(id: "j") { id timeline { type at summary data } } }')).toEqual([]);
  });

  it('refuses a query asking for every timeline of the largest page', () => {
    const [error] = errorsOf(
      'query($n: Int) { migrations(first: $n) { edges { node { timeline { type at summary data } } } } }',
    );
    expect(error).toMatch(/^query too complex: it may touch \d+ fields, the limit is 50000/);
  });

  it('counts what fragments select', () => {
    expect(
      errorsOf(
        'query { migrations(first: 500) { edges { node { ...J } } } } fragment J on Migration { timeline { type at summary data } }',
      ),
    ).toHaveLength(1);
  });
});
