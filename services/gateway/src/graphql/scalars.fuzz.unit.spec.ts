import fc from 'fast-check';
import { Kind, type ValueNode } from 'graphql';
import mercurius from 'mercurius';
import { describe, expect, it } from 'vitest';
import { DateTime } from './scalars.ts';

/** What a client gets for a value: the time in UTC, or a BAD_USER_INPUT error that quotes it briefly. */
function parsed(parse: () => unknown): string | Error {
  try {
    const value = parse();
    expect(typeof value).toBe('string');
    return value as string;
  } catch (error) {
    expect(error).toBeInstanceOf(mercurius.ErrorWithProps);
    const { message, extensions } = error as InstanceType<typeof mercurius.ErrorWithProps>;
    expect(extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expect(message).toMatch(/^not a date and time \(ISO-8601\): .{1,101}$/s);
    return error as Error;
  }
}

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');
/** An instant written as RFC 3339 allows (at an offset, to the minute, with a fraction), and the instant. */
const aWrittenTime = fc
  .record({
    // A day inside the years 0000-9999 at any offset.
    at: fc
      .date({ min: new Date('0000-01-02'), max: new Date('9999-12-30'), noInvalidDate: true })
      .map((d) => d.getTime()),
    offsetMinutes: fc.integer({ min: -14 * 60, max: 14 * 60 }),
    form: fc.constantFrom('Z', 'offset', 'minutes', 'fraction'),
    fraction: fc.stringMatching(/^\d{1,9}$/),
  })
  .map(({ at, offsetMinutes, form, fraction }) => {
    const offset = form === 'offset' ? offsetMinutes : 0;
    const [day, time = ''] = new Date(at + offset * 60_000).toISOString().split('T');
    const zone =
      form === 'offset'
        ? `${offset < 0 ? '-' : '+'}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`
        : 'Z';
    const seconds = Math.floor(at / 1000) * 1000;
    const [clock, instant] =
      form === 'minutes'
        ? [time.slice(0, 5), Math.floor(at / 60_000) * 60_000]
        : form === 'fraction'
          ? [
              `${time.slice(0, 8)}.${fraction}`,
              seconds + Number(fraction.padEnd(3, '0').slice(0, 3)),
            ]
          : [time.slice(0, 12), at];
    return { text: `${day}T${clock}${zone}`, expected: new Date(instant).toISOString() };
  });

/** The literal a query would hold for a JSON value. */
const literal = (value: unknown): ValueNode => {
  if (value === null) return { kind: Kind.NULL };
  if (typeof value === 'string') return { kind: Kind.STRING, value };
  if (typeof value === 'boolean') return { kind: Kind.BOOLEAN, value };
  if (typeof value === 'number')
    return { kind: Number.isSafeInteger(value) ? Kind.INT : Kind.FLOAT, value: String(value) };
  if (Array.isArray(value)) return { kind: Kind.LIST, values: value.map(literal) };
  return {
    kind: Kind.OBJECT,
    fields: Object.entries(value as object).map(([name, v]) => ({
      kind: Kind.OBJECT_FIELD,
      name: { kind: Kind.NAME, value: name },
      value: literal(v),
    })),
  };
};

describe('the DateTime scalar on what clients send', () => {
  it('takes any instant written as ISO-8601, in UTC', () => {
    fc.assert(
      fc.property(aWrittenTime, ({ text, expected }) => {
        expect(parsed(() => DateTime.parseValue(text))).toBe(expected);
        expect(parsed(() => DateTime.parseLiteral(literal(text)))).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('takes a date only when the month has that day', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        (year, month, day) => {
          const text = `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
          const calendar = new Date(0);
          calendar.setUTCFullYear(year, month - 1, day);
          const real = calendar.getUTCMonth() === month - 1 && calendar.getUTCDate() === day;
          const result = parsed(() => DateTime.parseValue(text));
          expect(result).toEqual(real ? `${text}T00:00:00.000Z` : expect.any(Error));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('refuses anything else with BAD_USER_INPUT, as a variable or a literal', () => {
    const almost = aWrittenTime.chain(({ text }) =>
      fc
        .tuple(fc.nat(text.length), fc.string({ minLength: 1, maxLength: 3 }))
        .map(([at, junk]) => `${text.slice(0, at)}${junk}${text.slice(at + 1)}`),
    );
    const anything = fc.oneof(
      almost,
      fc.string({ unit: 'binary' }),
      fc.constantFrom('1', '-1', 'March 7', 'hello 5', 'Tue 2026', 'yesterday', '2026-02-30'),
      fc.string({ minLength: 1000, maxLength: 5000 }),
      fc.jsonValue({ maxDepth: 2 }),
    );
    fc.assert(
      fc.property(anything, (value) => {
        const fromVariable = parsed(() => DateTime.parseValue(value));
        expect(parsed(() => DateTime.parseLiteral(literal(value)))).toEqual(fromVariable);
        if (typeof fromVariable === 'string')
          expect(value).toMatch(
            /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/,
          );
      }),
      { numRuns: 3000 },
    );
  });
});
