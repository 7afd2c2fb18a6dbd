// Lays out what one service needs at run time, from a built checkout, under an output folder:
// the service's package.json and dist/, the same for every @ferry library it depends on at run time
// (transitively, dependencies only: no test harnesses, no tooling), the files under their src/
// that are not TypeScript (assets read at run time, e.g. the gateway's src/schema.graphql), and
// `start`, a shell script that runs the service's own `npm start` command (its node flags stay in
// its package.json).
//   node deploy/docker/collect-runtime.mjs <service> <out>
// Used by deploy/docker/Dockerfile; plain JavaScript so it runs before anything is installed.
import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const [service, out] = process.argv.slice(2);
if (!service || !out) throw new Error('usage: collect-runtime.mjs <service> <out>');

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const workspaces = new Map();
for (const parent of ['libs', 'services'])
  for (const name of readdirSync(parent)) {
    const file = join(parent, name, 'package.json');
    if (existsSync(file)) workspaces.set(readJson(file).name, join(parent, name));
  }

const root = join('services', service);
const pending = [root];
const seen = new Set();
while (pending.length > 0) {
  const dir = pending.pop();
  if (seen.has(dir)) continue;
  seen.add(dir);
  const pkg = readJson(join(dir, 'package.json'));
  if (!existsSync(join(dir, 'dist'))) throw new Error(`${dir} is not built (no dist/)`);
  cpSync(join(dir, 'package.json'), join(out, dir, 'package.json'));
  cpSync(join(dir, 'dist'), join(out, dir, 'dist'), { recursive: true });
  for (const asset of assets(join(dir, 'src'))) cpSync(asset, join(out, asset));
  for (const dep of Object.keys(pkg.dependencies ?? {}))
    if (workspaces.has(dep)) pending.push(workspaces.get(dep));
}

/** Files under a src/ folder that the build does not compile: neither TypeScript nor tests. */
function assets(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !/\.(ts|tsx|mts|cts)$/.test(entry.name))
    .map((entry) => relative('.', join(entry.parentPath, entry.name)));
}

const start = readJson(join(root, 'package.json')).scripts?.start ?? '';
// Only `node [--flag=value...] file.js`: nothing for a shell to interpret.
if (!/^node( --[a-z0-9-]+(=[A-Za-z0-9@._/-]+)?)* [A-Za-z0-9_./-]+\.js$/.test(start))
  throw new Error(`${root}: unexpected start script: ${start}`);
writeFileSync(
  join(out, 'start'),
  `#!/bin/sh\n# ${service}: its package.json "start" script.\ncd /app/${root} && exec ${start} "$@"\n`,
  { mode: 0o755 },
);
console.log(`collected ${[...seen].join(', ')}`);
