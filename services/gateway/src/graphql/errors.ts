import { GraphQLError, type ExecutionResult } from 'graphql';
import mercurius from 'mercurius';

/** What a client can tell apart and act on; the message says the rest. */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'UNAVAILABLE'
  | 'GRAPHQL_VALIDATION_FAILED'
  | 'INTERNAL_SERVER_ERROR';

export const gatewayError = (
  code: ErrorCode,
  message: string,
  details?: readonly { readonly path: string; readonly message: string }[],
) => new mercurius.ErrorWithProps(message, details ? { code, details } : { code });

interface Log {
  error(fields: object, message: string): void;
}

/**
 * Every error leaves with a code and without a stack: one raised on purpose keeps its message,
 * a query that does not validate says why, anything else is logged and answered as internal.
 */
export function errorFormatter(log: Log) {
  return (execution: ExecutionResult & Required<Pick<ExecutionResult, 'errors'>>) => {
    const errors = execution.errors.map((error) => {
      const original = error.originalError;
      const base = { message: error.message, locations: error.locations, path: error.path };
      if (original instanceof mercurius.ErrorWithProps)
        return { ...base, extensions: original.extensions };
      if (original === undefined || original instanceof GraphQLError)
        return {
          ...base,
          extensions: {
            code: (error.extensions['code'] as string | undefined) ?? 'GRAPHQL_VALIDATION_FAILED',
          },
        };
      log.error({ err: original, path: error.path }, 'GraphQL resolver failed');
      return {
        ...base,
        message: 'internal error: the gateway logged it',
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      };
    });
    // A query that was executed answers 200 with its errors; one refused outright answers 400.
    const statusCode = execution.data === undefined || execution.data === null ? 400 : 200;
    return { statusCode, response: { data: execution.data ?? null, errors } };
  };
}
