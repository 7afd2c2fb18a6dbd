import { GraphQLScalarType, Kind } from 'graphql';
import { gatewayError } from './errors.ts';

const toIso = (value: unknown): string => {
  const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time))
    throw gatewayError(
      'BAD_USER_INPUT',
      `not a date and time (ISO-8601): ${globalThis.JSON.stringify(value)}`,
    );
  return new Date(time).toISOString();
};

/** ISO-8601 in and out; what comes in is normalised to UTC so that it compares with stored times. */
export const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  serialize: (value) => value,
  parseValue: toIso,
  parseLiteral: (ast) => toIso(ast.kind === Kind.STRING ? ast.value : undefined),
});

/** An event's data, as stored; output only. */
export const JSON = new GraphQLScalarType({
  name: 'JSON',
  serialize: (value) => value,
});
