// Closes `npm test`: adds up every tier's JSON report and prints "N passed, N failed" as the last line.
// Usage: node test-summary.ts [failed-step ...]   (steps such as typecheck or lint that failed outright)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { summarize, type VitestReport } from './summary.ts';
import { workspaceRoot } from './workspace.ts';

const dir = join(workspaceRoot, '.reports');
const reports = existsSync(dir)
  ? readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => ({
        name: f.replace(/\.json$/, ''),
        report: JSON.parse(readFileSync(join(dir, f), 'utf8')) as VitestReport,
      }))
  : [];
const summary = summarize(reports, process.argv.slice(2));
process.stdout.write(`${summary.lines.join('\n')}\n`);
process.exit(summary.ok ? 0 : 1);
