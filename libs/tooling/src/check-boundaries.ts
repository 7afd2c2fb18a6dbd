// Lint step: builds Nx's project graph and fails on any dependency the tag constraints forbid.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boundaryViolations, type ProjectGraphJson } from './boundaries.ts';
import { workspaceRoot } from './workspace.ts';

const dir = mkdtempSync(join(tmpdir(), 'ferry-graph-'));
try {
  const file = join(dir, 'graph.json');
  execFileSync('npx', ['nx', 'graph', `--file=${file}`], {
    cwd: workspaceRoot,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const violations = boundaryViolations(JSON.parse(readFileSync(file, 'utf8')) as ProjectGraphJson);
  for (const v of violations) console.error(`module boundary: ${v}`);
  if (violations.length > 0) process.exit(1);
  console.log('module boundaries: ok');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
