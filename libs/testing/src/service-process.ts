import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export interface RunningService {
  readonly process: ChildProcess;
  /** Ends it at once, as a crash or a power cut would: no shutdown, no ack. */
  kill(): Promise<void>;
  /** SIGTERM, and waits until it has exited. */
  stop(): Promise<void>;
}

/**
 * A Ferry service's built `dist/main.js` started as its own process (the e2e tier builds the
 * service first), with the environment given on top of this one.
 */
export function startBuiltService(
  name: string,
  env: Readonly<Record<string, string>>,
): RunningService {
  const main = resolve(import.meta.dirname, '..', '..', '..', 'services', name, 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: build @ferry/service-${name} first`);
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, ...env },
    stdio: 'ignore',
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return {
    process: child,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
