import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  buildSchema,
  getNamedType,
  GraphQLError,
  isNonNullType,
  isObjectType,
  parse,
  validate,
  type GraphQLObjectType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { costLimit, MAX_PAGE } from './complexity.ts';

const schema = buildSchema(readFileSync(join(import.meta.dirname, '..', 'schema.graphql'), 'utf8'));
const MAX_COST = 50_000;
const LIST_FIELDS = new Set(['inventory', 'timeline', 'sources', 'unreadableVms', 'commits']);
// The rule alone: graphql-js's own rules are not under test, and some are slow on generated queries.
const rules = [costLimit(MAX_COST, LIST_FIELDS)];

/** A field selected, with the page it asks for: a literal, the variable `$n`, or none. */
interface Field {
  readonly name: string;
  /** Its type's name, without list or non-null. */
  readonly type: string;
  readonly alias: string | undefined;
  readonly page: number | '$n' | undefined;
  readonly required: string;
  readonly on: string | undefined;
  readonly selections: readonly Field[];
}

const aPage = fc.oneof(
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.integer({ min: -10, max: 1000 }),
  fc.constant('$n' as const),
);

/** Selections of a type, from its own fields, `depth` levels deep at most. */
function selectionsOf(type: GraphQLObjectType, depth: number): fc.Arbitrary<Field[]> {
  const fields = Object.values(type.getFields()).map((f): fc.Arbitrary<Field> => {
    const named = getNamedType(f.type);
    const paged = f.args.some((a) => a.name === 'first');
    const required = f.args
      .filter((a) => isNonNullType(a.type))
      .map((a) => `${a.name}: ${a.name === 'vmKeys' ? '["k"]' : '"x"'}`)
      .join(', ');
    const below =
      isObjectType(named) && depth > 0
        ? selectionsOf(named, depth - 1)
        : fc.constant(isObjectType(named) ? [leaf('__typename')] : []);
    return fc.record({
      name: fc.constant(f.name),
      type: fc.constant(named.name),
      alias: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined }),
      page: paged ? fc.option(aPage, { nil: undefined }) : fc.constant(undefined),
      required: fc.constant(required),
      // Sometimes through an inline fragment on the type itself.
      on: fc.option(fc.constant(type.name), { nil: undefined }),
      selections: below,
    });
  });
  return fc.array(fc.oneof(...fields), { minLength: 1, maxLength: 3 });
}
const leaf = (name: string): Field => ({
  name,
  type: 'String',
  alias: undefined,
  page: undefined,
  required: '',
  on: undefined,
  selections: [],
});
const aQuery = fc
  .integer({ min: 1, max: 5 })
  .chain((depth) => selectionsOf(schema.getQueryType() as GraphQLObjectType, depth));

/** What the rule must count: 1 a field, times the page (or list) for what it selects. */
function cost(selections: readonly Field[]): number {
  return selections.reduce((sum, f) => {
    const size =
      f.page === '$n'
        ? MAX_PAGE
        : f.page !== undefined
          ? Math.max(0, f.page)
          : LIST_FIELDS.has(f.name)
            ? 100
            : 1;
    return sum + 1 + size * cost(f.selections);
  }, 0);
}

/**
 * The query as text; with `fragments`, every selection set below the operation's written as a named
 * fragment, spread `spreads` times.
 */
function print(selections: readonly Field[], fragments?: { spreads: number }): string {
  const definitions: string[] = [];
  const set = (fields: readonly Field[], type: string): string => {
    const body = fields.map(field).join(' ');
    if (!fragments || fields.length === 0) return body;
    const name = `F${definitions.length}`;
    definitions.push(`fragment ${name} on ${type} { ${body} }`);
    return Array.from({ length: fragments.spreads }, () => `...${name}`).join(' ');
  };
  const field = (f: Field): string => {
    const args = [f.required, f.page === undefined ? '' : `first: ${f.page}`]
      .filter(Boolean)
      .join(', ');
    const text = `${f.alias ? `${f.alias}: ` : ''}${f.name}${args ? `(${args})` : ''}${
      f.selections.length > 0 ? ` { ${set(f.selections, f.type)} }` : ''
    }`;
    return f.on ? `... on ${f.on} { ${text} }` : text;
  };
  const operation = `query($n: Int) { ${selections.map(field).join(' ')} }`;
  return [operation, ...definitions].join(' ');
}

/** The cost the rule reports, or undefined when it lets the query through. */
function reported(query: string): number | undefined {
  const errors = validate(schema, parse(query), rules);
  for (const e of errors) expect(e).toBeInstanceOf(GraphQLError);
  const refusal = errors.find((e) => e.message.startsWith('query too complex'));
  if (!refusal) return undefined;
  expect(refusal.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
  return Number(/it may touch (\d+) fields/.exec(refusal.message)?.[1]);
}

describe('the cost limit on generated queries', () => {
  it('counts every field, times its page or list, however the query is written', () => {
    fc.assert(
      fc.property(aQuery, fc.integer({ min: 1, max: 3 }), (query, spreads) => {
        const expected = cost(query);
        const verdict = expected > MAX_COST ? expected : undefined;
        expect(reported(print(query))).toBe(verdict);
        expect(reported(print(query, { spreads: 1 }))).toBe(verdict);
        // Each spread of a fragment counts, though execution merges them: never less.
        if (verdict !== undefined)
          expect(reported(print(query, { spreads }))).toBeGreaterThanOrEqual(verdict);
      }),
      { numRuns: 2000 },
    );
  });

  it('lets no sibling with a negative page pay for a query too costly', () => {
    const costly = 'b: migrations(first: 500) { edges { node { timeline { type at data } } } }';
    fc.assert(
      fc.property(aPage, fc.nat(3), (page, copies) => {
        const cheap = Array.from(
          { length: copies + 1 },
          (_, i) => `c${i}: migrations(first: ${page}) { edges { node { id } } }`,
        );
        const query = `query($n: Int) { ${cheap.join(' ')} ${costly} }`;
        expect(reported(query)).toBeGreaterThan(MAX_COST);
      }),
      { numRuns: 500 },
    );
  });

  it('costs fragments that spread others many times once each: no exponential walk', () => {
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 80 }), fc.integer({ min: 2, max: 4 }), (n, k) => {
        const spread = (i: number) => Array.from({ length: k }, () => `...F${i}`).join(' ');
        const chain = Array.from(
          { length: n },
          (_, i) => `fragment F${i} on Query { ${spread(i + 1)} }`,
        );
        const query = `{ ...F0 } ${chain.join(' ')} fragment F${n} on Query { health { status } }`;
        const expected = Math.min(2 * k ** n, Number.MAX_SAFE_INTEGER);
        expect(reported(query)).toBe(expected > MAX_COST ? expected : undefined);
      }),
      { numRuns: 200 },
    );
  });

  it('costs any web of fragments, cycles included, without hanging or throwing', () => {
    const aWeb = fc
      .integer({ min: 1, max: 40 })
      .chain((n) =>
        fc.array(fc.array(fc.nat(n - 1), { maxLength: 4 }), { minLength: n, maxLength: n }),
      );
    fc.assert(
      fc.property(aWeb, (web) => {
        const fragments = web.map(
          (spreads, i) =>
            `fragment F${i} on Query { health { status } ${spreads.map((j) => `...F${j}`).join(' ')} }`,
        );
        const errors = validate(schema, parse(`{ ...F0 } ${fragments.join(' ')}`), rules);
        for (const e of errors) expect(e).toBeInstanceOf(GraphQLError);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses nesting deeper than any query needs, as deep as the parser takes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4000 }), fc.boolean(), (depth, paged) => {
        const open = paged
          ? '... on Query { a: migrations(first: 1) { edges { node { source { key } } } } '
          : '... on Query { ';
        const text = `{ ${open.repeat(depth)} health { status } ${'} '.repeat(depth)}}`;
        let document;
        try {
          document = parse(text);
        } catch (error) {
          // graphql-js's own parser gives up first (a RangeError): nothing of the gateway's runs.
          fc.pre(!(error instanceof RangeError));
          throw error;
        }
        const errors = validate(schema, document, rules);
        for (const e of errors) expect(e).toBeInstanceOf(GraphQLError);
        const tooDeep = errors.some((e) => e.message.startsWith('query too deeply nested'));
        if (depth > 100) expect(tooDeep).toBe(true);
        if (depth < 90) expect(tooDeep).toBe(false);
      }),
      { numRuns: 60 },
    );
  });
});
