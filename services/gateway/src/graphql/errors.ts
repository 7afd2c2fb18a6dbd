import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/** What a client can tell apart and act on; the message says the rest. */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'UNAVAILABLE'
  | 'GRAPHQL_VALIDATION_FAILED'
  | 'INTERNAL_SERVER_ERROR';

/** An error raised on purpose: its message and extensions are what the client sees. */
export class GatewayError extends Error {
  readonly extensions: {
    readonly code: ErrorCode;
    readonly details?: readonly { readonly path: string; readonly message: string }[];
  };

  constructor(
    code: ErrorCode,
    message: string,
    details?: readonly { readonly path: string; readonly message: string }[],
  ) {
    super(message);
    this.extensions = details ? { code, details } : { code };
  }
}

export const gatewayError = (
  code: ErrorCode,
  message: string,
  details?: readonly { readonly path: string; readonly message: string }[],
) => new GatewayError(code, message, details);

interface Log {
  error(fields: object, message: string): void;
}

/**
 * Every error leaves with a code and without a stack: one raised on purpose keeps its message and
 * extensions, one GraphQL itself raised (a query that does not parse or validate, a variable of the
 * wrong type) says why, anything else is logged and answered as internal. `request` is true for
 * the errors of a request refused before it ran.
 */
export function formatErrors(log: Log) {
  return (
    errors: readonly GraphQLError[],
  ): { errors: GraphQLFormattedError[]; request: boolean } => {
    let request = false;
    const formatted = errors.map((error): GraphQLFormattedError => {
      const original = error.originalError;
      const base = {
        message: error.message,
        ...(error.locations ? { locations: error.locations } : {}),
        ...(error.path ? { path: error.path } : {}),
      };
      if (original instanceof GatewayError) return { ...base, extensions: original.extensions };
      if (original === undefined || original instanceof GraphQLError) {
        request = true;
        return { ...base, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } };
      }
      log.error({ err: original, path: error.path }, 'GraphQL resolver failed');
      return {
        ...base,
        message: 'internal error: the gateway logged it',
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      };
    });
    return { errors: formatted, request };
  };
}
