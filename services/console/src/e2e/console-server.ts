// The console as an operator reaches it in an e2e run: served by the gateway, with its API.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Pipeline } from '@ferry/pipeline-testing';
import { eventually, freePort } from '@ferry/testing';

export const CONSOLE_DIST = join(resolve(import.meta.dirname, '..', '..'), 'dist');

export interface ConsoleServer {
  /** The console's address, ending in `/`. */
  readonly url: string;
}

/** The pipeline's gateway serving the built console; resolves once the gateway answers GraphQL. */
export async function serveConsole(
  p: Pipeline,
  env: Readonly<Record<string, string>> = {},
): Promise<ConsoleServer> {
  if (!existsSync(join(CONSOLE_DIST, 'index.html')))
    throw new Error(`${CONSOLE_DIST} is missing: build @ferry/console first`);
  const port = await freePort();
  const gateway = p.start('gateway', 'gateway', {
    GATEWAY_HOST: '127.0.0.1',
    GATEWAY_PORT: String(port),
    CONSOLE_DIR: CONSOLE_DIST,
    ...env,
  });
  const url = `http://127.0.0.1:${port}`;
  await eventually(
    async () => {
      if (gateway.process.exitCode !== null)
        throw new Error(
          `the gateway exited (${gateway.process.exitCode}); see ${p.env['LOG_DIR']}`,
        );
      return (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200;
    },
    'the gateway ready',
    { timeoutMs: 60_000, intervalMs: 250 },
  );
  return { url: `${url}/` };
}
