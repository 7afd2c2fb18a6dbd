import { describe, expect, it } from 'vitest';

import { hrefFor, jobHref, parseRoute } from './route.ts';

describe('parseRoute', () => {
  it.each([
    ['', { page: 'inventory' }],
    ['#/', { page: 'inventory' }],
    ['#/inventory', { page: 'inventory' }],
    ['#/jobs', { page: 'jobs' }],
    ['#/jobs/', { page: 'jobs' }],
    ['#/jobs/job-1', { page: 'job', id: 'job-1' }],
    ['#/jobs/a%2Fb', { page: 'job', id: 'a/b' }],
    ['#/health', { page: 'health' }],
    ['#/admin', { page: 'admin' }],
    ['#/nope', { page: 'not-found', path: '/nope' }],
  ])('%s is %j', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
  });

  it('round-trips every href', () => {
    for (const route of [
      { page: 'inventory' },
      { page: 'jobs' },
      { page: 'job', id: 'x/y z' },
      { page: 'health' },
      { page: 'admin' },
    ] as const) {
      expect(parseRoute(hrefFor(route))).toEqual(route);
    }
    expect(jobHref('j1')).toBe('#/jobs/j1');
  });
});
