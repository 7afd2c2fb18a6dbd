// `npm run bench:table`: rewrites the README's performance table from the latest bench results.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { meets, RESULTS, type Measurement } from './measure.ts';

const figure = (n: number) => Number(n.toPrecision(4));
const README = join(import.meta.dirname, '..', '..', '..', 'README.md');
const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

const results: Measurement[] = existsSync(RESULTS)
  ? readdirSync(RESULTS)
      .filter((f) => f.endsWith('.jsonl'))
      .sort()
      .flatMap((f) =>
        readFileSync(join(RESULTS, f), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as Measurement),
      )
  : [];
const readme = readFileSync(README, 'utf8');
const [before, rest] = readme.split(START);
const [current, after] = rest?.split(END) ?? [];
if (before === undefined || current === undefined || after === undefined)
  throw new Error(`README.md has no ${START} … ${END} section`);
const fresh = new Set(results.map((m) => m.bench));
// A bench not run in this checkout (results are not committed) keeps the rows the table had.
const kept = current
  .split('\n')
  .filter((line) => /^\| [a-z]/.test(line) && !line.startsWith('| bench '))
  .map((line) => ({ bench: line.split('|')[1]?.trim() ?? '', line }))
  .filter((row) => !fresh.has(row.bench));
const rows = [
  ...results.map((m) => ({
    bench: m.bench,
    line: `| ${m.bench} | ${m.metric} | ${figure(m.value)} ${m.unit} | ${figure(m.baseline)} ${m.unit} | ${m.ratio} | ${m.goal} | ${meets(m.ratio, m.goal) ? 'yes' : '**no**'} |`,
  })),
  ...kept,
].sort((a, b) => a.bench.localeCompare(b.bench));
const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const table = [
  // Machines of a kind differ in their CPU model: the rows kept say so rather than claim this one.
  `Measured on ${machine} (\`npm run bench -- <bench>\`; the raw tool in the same run)${kept.length > 0 ? `; the rows of benches not run there (${[...new Set(kept.map((row) => row.bench))].join(', ')}) are from earlier runs on machines of the same size` : ''}.`,
  '',
  '| bench | metric | Ferry | raw / limit | ratio | goal | met |',
  '| --- | --- | ---: | ---: | ---: | --- | --- |',
  ...rows.map((row) => row.line),
].join('\n');
writeFileSync(README, `${before}${START}\n${table}\n${END}${after}`);
process.stdout.write(`README.md: ${results.length} measurements, ${kept.length} rows kept\n`);
