import { GraphQLError, type ExecutionResult } from 'graphql';
import mercurius from 'mercurius';

/** What a client can tell apart and act on; the message says the rest. */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'UNAVAILABLE'
  | 'GRAPHQL_VALIDATION_FAILED'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'INTERNAL_SERVER_ERROR';

export const gatewayError = (
  code: ErrorCode,
  message: string,
  details?: readonly { readonly path: string; readonly message: string }[],
) => new mercurius.ErrorWithProps(message, details ? { code, details } : { code });

/** Text of the client's as an error message quotes it: cut short. */
export const cut = (text: string): string => (text.length > 100 ? `${text.slice(0, 100)}…` : text);

/** A value of the client's as an error message quotes it: as JSON, cut short. */
export const quoted = (value: unknown): string => cut(JSON.stringify(value) ?? String(value));

interface Log {
  error(fields: object, message: string): void;
}

interface Formatted {
  readonly message: string;
  readonly locations?: unknown;
  readonly path?: unknown;
  readonly extensions: object | undefined;
}

interface RequestError extends Error {
  /** Mercurius's validation and depth errors carry the GraphQL errors they stand for. */
  readonly errors?: readonly (Error & { locations?: unknown })[];
  readonly statusCode?: number;
}

/**
 * Every error leaves with a code and without a stack: one raised on purpose keeps its message,
 * a query that does not parse or validate says why (400), anything else is logged and answered
 * as internal.
 */
export function errorFormatter(log: Log) {
  return (execution: ExecutionResult & Required<Pick<ExecutionResult, 'errors'>>) => {
    let statusCode = 200;
    const errors = execution.errors.flatMap((error): Formatted[] => {
      const original = error.originalError as RequestError | undefined;
      const base = { message: error.message, locations: error.locations, path: error.path };
      if (original instanceof mercurius.ErrorWithProps)
        return [{ ...base, extensions: original.extensions }];
      if (original === undefined || original instanceof GraphQLError) {
        statusCode = 400;
        return [{ ...base, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }];
      }
      if (typeof original.statusCode === 'number' && original.statusCode < 500) {
        statusCode = original.statusCode;
        const inner = Array.isArray(original.errors) ? original.errors : [original];
        return inner.map((e) => ({
          message: e.message,
          locations: e.locations,
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        }));
      }
      log.error({ err: original, path: error.path }, 'GraphQL resolver failed');
      return [
        {
          ...base,
          message: 'internal error: the gateway logged it',
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        },
      ];
    });
    // An operation that ran answers 200 with its errors beside its data.
    if (execution.data) statusCode = 200;
    return { statusCode, response: { data: execution.data ?? null, errors } };
  };
}
