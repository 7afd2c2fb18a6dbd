/** One error as GraphQL reports it. */
export interface GraphQLErrorShape {
  readonly message: string;
  readonly path?: readonly (string | number)[];
  readonly extensions?: { readonly code?: string; readonly [key: string]: unknown };
}

/** A request the gateway answered with errors (or did not answer): the messages, plainly. */
export class GraphQLRequestError extends Error {
  readonly errors: readonly GraphQLErrorShape[];

  constructor(errors: readonly GraphQLErrorShape[]) {
    super(errors.map((e) => e.message).join('; ') || 'The request failed.');
    this.name = 'GraphQLRequestError';
    this.errors = errors;
  }

  /** The first error's `extensions.code`, e.g. BAD_USER_INPUT, NOT_FOUND, UNAVAILABLE. */
  get code(): string | undefined {
    return this.errors[0]?.extensions?.code;
  }
}

/** A message fit to show: the error's own words, with its code when GraphQL gave one. */
export function describeError(error: unknown): string {
  if (error instanceof GraphQLRequestError) {
    return error.code ? `${error.message} (${error.code})` : error.message;
  }
  if (error instanceof Error) return error.message;
  if (Array.isArray(error)) return new GraphQLRequestError(error as GraphQLErrorShape[]).message;
  if (typeof error === 'object' && error !== null && 'reason' in error) {
    const { code, reason } = error as { code?: number; reason?: string };
    return `The live connection closed${code ? ` (${code})` : ''}${reason ? `: ${reason}` : ''}.`;
  }
  return String(error);
}
