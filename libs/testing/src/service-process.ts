import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface RunningService {
  readonly process: ChildProcess;
  /** Ends it at once, as a crash or a power cut would: no shutdown, no ack. */
  kill(): Promise<void>;
  /** SIGTERM, and waits until it has exited (SIGKILL after 30 s: a stop that hangs fails no later test). */
  stop(): Promise<void>;
}

/** The Node flags a service runs with: those of its `start` script (`node [--flag...] dist/main.js`). */
function nodeFlags(dir: string): string[] {
  const { scripts } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const match = /^node((?:\s+--\S+)*)\s+dist\/main\.js$/.exec(scripts.start);
  if (!match)
    throw new Error(`${dir}: start is "${scripts.start}", not "node [--flag...] dist/main.js"`);
  return (match[1] ?? '').split(/\s+/).filter(Boolean);
}

/**
 * A Ferry service's built `dist/main.js` started as its own process as `npm start` runs it (the
 * e2e tier builds the service first), with the environment given on top of this one. A gateway
 * saves its projections beside its logs (or in a folder of its own, removed when it exits) unless
 * told where: never in the machine-wide default that other runs would share.
 */
export function startBuiltService(
  name: string,
  env: Readonly<Record<string, string>>,
): RunningService {
  const dir = resolve(import.meta.dirname, '..', '..', '..', 'services', name);
  const main = join(dir, 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: build @ferry/service-${name} first`);
  const own =
    env['GATEWAY_SNAPSHOT_FILE'] === undefined && env['LOG_DIR'] === undefined
      ? mkdtempSync(join(tmpdir(), 'ferry-service-'))
      : undefined;
  const child = spawn(process.execPath, [...nodeFlags(dir), main], {
    env: {
      // As npm start and the images run it (see deploy/dev/start.sh).
      MALLOC_ARENA_MAX: '2',
      ...process.env,
      GATEWAY_SNAPSHOT_FILE: join(own ?? env['LOG_DIR'] ?? '', 'gateway-projections.snapshot'),
      ...env,
    },
    stdio: 'ignore',
  });
  const exited = new Promise<void>((done) =>
    child.once('exit', () => {
      if (own) rmSync(own, { recursive: true, force: true });
      done();
    }),
  );
  return {
    process: child,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      child.kill('SIGTERM');
      const hung = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(hung);
    },
  };
}
