import { describe, expect, it } from 'vitest';
import { boundaryViolations, type ProjectGraphJson } from './boundaries.ts';

const graph = (
  tags: Record<string, string[]>,
  deps: Record<string, string[]>,
): ProjectGraphJson => ({
  graph: {
    nodes: Object.fromEntries(
      Object.entries(tags).map(([name, t]) => [name, { data: { tags: t } }]),
    ),
    dependencies: Object.fromEntries(
      Object.entries(deps).map(([name, ts]) => [name, ts.map((target) => ({ target }))]),
    ),
  },
});
const tags = {
  '@ferry/contracts': ['scope:lib', 'type:contracts'],
  '@ferry/domain': ['scope:lib', 'type:domain'],
  '@ferry/config': ['scope:lib', 'type:util'],
  '@ferry/jobs': ['scope:service'],
  '@ferry/tooling': ['scope:tooling', 'type:tooling'],
};

describe('module boundaries', () => {
  it('allow the domain to use the contracts, and tests their runner and generator', () => {
    const deps = ['@ferry/contracts', '@ferry/tooling', 'npm:vitest', 'npm:fast-check'];
    expect(boundaryViolations(graph(tags, { '@ferry/domain': deps }))).toEqual([]);
  });

  it('refuse the domain anything else: another lib, a framework, any npm package', () => {
    const found = boundaryViolations(
      graph(tags, { '@ferry/domain': ['@ferry/config', 'npm:@nestjs/common', 'npm:pino@10.4.0'] }),
    );
    expect(found).toEqual([
      '@ferry/domain -> @ferry/config: may depend only on projects tagged [type:contracts, type:tooling] (rule for type:domain)',
      '@ferry/domain -> npm:@nestjs/common: npm package not allowed, only [vitest, fast-check] (rule for type:domain)',
      '@ferry/domain -> npm:pino@10.4.0: npm package not allowed, only [vitest, fast-check] (rule for type:domain)',
    ]);
  });

  it('refuse any lib a dependency on a service', () => {
    expect(boundaryViolations(graph(tags, { '@ferry/config': ['@ferry/jobs'] }))).toEqual([
      '@ferry/config -> @ferry/jobs: may not depend on projects tagged scope:service (rule for scope:lib)',
    ]);
  });

  it('let services use libs', () => {
    expect(
      boundaryViolations(
        graph(tags, { '@ferry/jobs': ['@ferry/domain', '@ferry/config', 'npm:@nestjs/common'] }),
      ),
    ).toEqual([]);
  });
});
