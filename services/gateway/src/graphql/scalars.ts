import { GraphQLScalarType, valueFromASTUntyped } from 'graphql';
import { gatewayError, quoted } from './errors.ts';

// A date, or a date and time (in UTC or at an offset): Date.parse alone also takes "1" or "March 7".
const ISO_8601 =
  /^(\d{4}-\d{2}-\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})?)?$/;

/** Whether a YYYY-MM-DD is a day of the calendar: Date.parse rolls February 30 into March. */
const isDay = (date: string) => {
  const time = Date.parse(date);
  return !Number.isNaN(time) && new Date(time).toISOString().startsWith(date);
};

const toIso = (value: unknown): string => {
  const parts = typeof value === 'string' ? ISO_8601.exec(value) : null;
  const time = parts && isDay(parts[1] ?? '') ? Date.parse(parts[0]) : Number.NaN;
  if (Number.isNaN(time))
    throw gatewayError('BAD_USER_INPUT', `not a date and time (ISO-8601): ${quoted(value)}`);
  return new Date(time).toISOString();
};

/** ISO-8601 in and out; what comes in is normalised to UTC so that it compares with stored times. */
export const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  serialize: (value) => value,
  parseValue: toIso,
  parseLiteral: (ast, variables) => toIso(valueFromASTUntyped(ast, variables)),
});

/** An event's data, as stored; output only. */
export const JSON = new GraphQLScalarType({
  name: 'JSON',
  serialize: (value) => value,
});
