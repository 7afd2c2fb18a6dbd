import { basename, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

import { workspaceRoot } from './workspace.ts';

// Workspace packages resolve to their TypeScript sources in tests, so nothing needs a build first.
const conditions = ['ferry-source', 'import', 'module', 'node', 'default'];

const tiers = [
  { name: 'unit', timeout: 10_000 },
  { name: 'int', timeout: 120_000 },
  { name: 'e2e', timeout: 900_000 },
] as const;

/** The three test tiers of one project, told apart by file suffix: `.unit.spec.ts`, `.int.spec.ts`, `.e2e.spec.ts`. */
export function testTiers(projectRoot: string): ViteUserConfig {
  const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as {
    name: string;
  };
  const reportName = basename(pkg.name);
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['ferry-source'] } },
    test: {
      root: projectRoot,
      reporters: ['default', 'json'],
      // One report per project and tier (`--project` picks the tier); the summary script adds them up.
      outputFile: {
        json: join(
          workspaceRoot,
          '.reports',
          `${reportName}-${process.env.FERRY_TEST_TIER ?? tierFromArgv()}.json`,
        ),
      },
      projects: tiers.map((tier) => ({
        extends: true,
        test: {
          name: tier.name,
          include: [`src/**/*.${tier.name}.spec.ts`],
          testTimeout: tier.timeout,
          hookTimeout: tier.timeout,
        },
      })),
    },
  });
}

function tierFromArgv(): string {
  const at = process.argv.indexOf('--project');
  return (at >= 0 && process.argv[at + 1]) || 'all';
}
