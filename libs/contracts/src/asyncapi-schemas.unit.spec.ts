import { Ajv } from 'ajv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commitName, componentSchemas } from './asyncapi-schemas.ts';
import { eventSchemasByCategory } from './events/index.ts';
import { accepted, type JsonSchema } from './schema-arbitrary.fixtures.ts';
import { EVENT_CATEGORIES } from './subjects.ts';

// The document's schemas as one draft-07 document, so that its `#/components/…` references resolve.
const ajv = new Ajv({ strict: true, allowUnionTypes: true, keywords: ['components'] });
ajv.addSchema({ components: { schemas: componentSchemas() } }, 'asyncapi');
const commitOf = (category: (typeof EVENT_CATEGORIES)[number]) =>
  ajv.getSchema(`asyncapi#/components/schemas/${commitName(category)}`);

describe("the AsyncAPI document's commit schemas", () => {
  it.each(EVENT_CATEGORIES)(
    '%s: a commit of valid events, each with its id, passes',
    (category) => {
      const valid = commitOf(category);
      const anEvent = fc.oneof(
        ...eventSchemasByCategory[category].map((e) => accepted(e as JsonSchema)),
      );
      const aCommit = fc.record({
        revision: fc.nat(),
        events: fc.array(
          fc.tuple(fc.uuid(), anEvent).map(([id, event]) => ({ id, ...(event as object) })),
          { minLength: 1, maxLength: 3 },
        ),
      });
      fc.assert(
        fc.property(aCommit, (commit) => valid?.(commit) === true),
        { numRuns: 50 },
      );
    },
  );

  it("refuses an event without its id, or another category's", () => {
    const [created] = fc.sample(accepted(eventSchemasByCategory.migration[0] as JsonSchema), 1);
    expect(commitOf('migration')?.({ revision: 0, events: [created] })).toBe(false);
    expect(commitOf('vm')?.({ revision: 0, events: [{ id: 'e-1', ...(created as object) }] })).toBe(
      false,
    );
    expect(
      commitOf('migration')?.({ revision: 0, events: [{ id: 'e-1', ...(created as object) }] }),
    ).toBe(true);
  });
});
