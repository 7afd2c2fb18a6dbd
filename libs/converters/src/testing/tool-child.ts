// A process that runs one tool through runTool and prints its pid, so a test can kill this process
// outright and see whether the tool outlives it.
// Usage: node --conditions=ferry-source tool-child.ts <command> [args...]
import { runTool } from '../run-tool.ts';

const command = process.argv.slice(2);
const running = runTool({ command });
process.stdout.write(`STARTED ${process.pid}\n`);
await running;
