// Lint step: builds Nx's project graph (with npm packages) and fails on any dependency the tag constraints forbid.
import { createProjectGraphAsync } from 'nx/src/devkit-exports.js';
import { boundaryViolations } from './boundaries.ts';

const graph = await createProjectGraphAsync({ exitOnError: true });
const violations = boundaryViolations({ graph });
for (const v of violations) console.error(`module boundary: ${v}`);
if (violations.length > 0) process.exit(1);
console.log(`module boundaries: ok (${Object.keys(graph.nodes).length} projects)`);
