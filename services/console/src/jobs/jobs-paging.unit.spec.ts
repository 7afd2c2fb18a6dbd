import { describe, expect, it } from 'vitest';

import { pagingVariables } from './jobs-paging.ts';

describe('pagingVariables', () => {
  it('asks for the first page, the next or the previous', () => {
    expect(pagingVariables({ kind: 'first' })).toEqual({ first: 100 });
    expect(pagingVariables({ kind: 'after', cursor: 'c9' }, 20)).toEqual({
      first: 20,
      after: 'c9',
    });
    expect(pagingVariables({ kind: 'before', cursor: 'c1' }, 20)).toEqual({
      last: 20,
      before: 'c1',
    });
  });
});
