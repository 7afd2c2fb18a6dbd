/**
 * The console's pages, addressed by the URL's hash: `#/`, `#/jobs`, `#/jobs/<id>`, `#/health`,
 * `#/admin`.
 */
export type Route =
  | { readonly page: 'inventory' }
  | { readonly page: 'jobs' }
  | { readonly page: 'job'; readonly id: string }
  | { readonly page: 'health' }
  | { readonly page: 'admin' }
  | { readonly page: 'not-found'; readonly path: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/\/+$/, '') || '/';
  if (path === '/' || path === '/inventory') return { page: 'inventory' };
  if (path === '/jobs') return { page: 'jobs' };
  if (path === '/health') return { page: 'health' };
  if (path === '/admin') return { page: 'admin' };
  const job = /^\/jobs\/([^/]+)$/.exec(path);
  if (job?.[1]) return { page: 'job', id: decodeURIComponent(job[1]) };
  return { page: 'not-found', path };
}

export function hrefFor(route: Route): string {
  switch (route.page) {
    case 'inventory':
      return '#/';
    case 'jobs':
      return '#/jobs';
    case 'job':
      return `#/jobs/${encodeURIComponent(route.id)}`;
    case 'health':
      return '#/health';
    case 'admin':
      return '#/admin';
    case 'not-found':
      return `#${route.path}`;
    default: {
      const unhandled: never = route;
      return unhandled;
    }
  }
}

export const jobHref = (id: string): string => hrefFor({ page: 'job', id });
