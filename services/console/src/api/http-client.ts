import { API_BASE } from './config.ts';
import { httpEndpoint } from './endpoint.ts';
import { GraphQLRequestError, type GraphQLErrorShape } from './graphql-error.ts';

interface GraphQLResponse<T> {
  readonly data?: T | null;
  readonly errors?: readonly GraphQLErrorShape[];
}

/** One GraphQL operation over HTTP POST; resolves to `data`, rejects with the errors. */
export async function request<T>(
  query: string,
  variables: object = {},
  signal?: AbortSignal,
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(httpEndpoint(API_BASE), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
      },
      body: JSON.stringify({ query, variables }),
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new GraphQLRequestError([
      { message: `The gateway did not answer (${(error as Error).message}).` },
    ]);
  }
  const body = await readBody<T>(response);
  if (body.errors?.length) throw new GraphQLRequestError(body.errors);
  if (body.data == null) {
    throw new GraphQLRequestError([
      { message: `The gateway answered HTTP ${response.status} without data.` },
    ]);
  }
  return body.data;
}

async function readBody<T>(response: Response): Promise<GraphQLResponse<T>> {
  const text = await response.text();
  try {
    return JSON.parse(text) as GraphQLResponse<T>;
  } catch {
    return {
      errors: [
        { message: `The gateway answered HTTP ${response.status}: ${text.slice(0, 200) || '—'}` },
      ],
    };
  }
}
