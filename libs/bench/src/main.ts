// `npm run bench -- <name>`: one JSON line per measurement; exits 1 when a ratio misses its goal.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { meets, RESULTS, type Measurement } from './measure.ts';
import { conversionBench } from './conversion.bench.ts';
import { discoveryBench } from './discovery.bench.ts';
import { fleetBench } from './fleet.bench.ts';
import { gatewayBench } from './gateway.bench.ts';
import { overheadBench } from './overhead.bench.ts';
import { pipelineBench } from './pipeline.bench.ts';
import { storeBench } from './store.bench.ts';
import { uploadBench } from './upload.bench.ts';
import { vsphereConversionBench } from './vsphere-conversion.bench.ts';

const benches: Record<string, () => Promise<Measurement[]>> = {
  store: storeBench,
  discovery: discoveryBench,
  conversion: conversionBench,
  'vsphere-conversion': vsphereConversionBench,
  fleet: fleetBench,
  upload: uploadBench,
  pipeline: pipelineBench,
  gateway: gatewayBench,
  overhead: overheadBench,
};

const names = process.argv.slice(2);
const unknown = names.filter((n) => !(n in benches));
if (names.length === 0 || unknown.length > 0) {
  process.stderr.write(
    `usage: npm run bench -- <${Object.keys(benches).join('|')}>...${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}\n`,
  );
  process.exit(2);
}
let missed = 0;
for (const name of names) {
  const lines: string[] = [];
  for (const m of await (benches[name] as () => Promise<Measurement[]>)()) {
    lines.push(JSON.stringify(m));
    process.stdout.write(`${JSON.stringify(m)}\n`);
    if (!meets(m.ratio, m.goal)) missed++;
  }
  // The latest run of each bench, for the README's table (`npm run bench:table`).
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, `${name}.jsonl`), `${lines.join('\n')}\n`);
}
process.exit(missed > 0 ? 1 : 0);
