/** Where the gateway is: `VITE_API_BASE_URL`, else `/api` (the console at `/`, the API beside it). */
export const DEFAULT_API_BASE = '/api';

export interface PageLocation {
  readonly protocol: string;
  readonly host: string;
}

function trimSlash(base: string): string {
  return base.replace(/\/+$/, '');
}

/** The GraphQL-over-HTTP endpoint for an API base (absolute or relative to the page). */
export function httpEndpoint(base: string): string {
  return `${trimSlash(base)}/graphql`;
}

/** The gateway's sign-in endpoint `name` (`/auth/…`, beside the API base). */
export function authEndpoint(base: string, name: string): string {
  return `${trimSlash(base).replace(/\/api$/, '')}/auth/${name}`;
}

/**
 * The graphql-ws endpoint: the same path over ws(s)://. A relative base is resolved against the
 * page's location; https pages get wss.
 */
export function wsEndpoint(base: string, page: PageLocation): string {
  const path = httpEndpoint(base);
  if (/^wss?:\/\//i.test(path)) return path;
  if (/^https?:\/\//i.test(path)) return path.replace(/^http/i, 'ws');
  const scheme = page.protocol === 'https:' ? 'wss:' : 'ws:';
  const absolutePath = path.startsWith('/') ? path : `/${path}`;
  return `${scheme}//${page.host}${absolutePath}`;
}
