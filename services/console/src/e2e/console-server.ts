// The console as an operator reaches it in an e2e run: the gateway serving the built console (or,
// with FERRY_CONSOLE_VIA=preview, vite preview serving it and proxying /api to the gateway).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Pipeline } from '@ferry/pipeline-testing';
import { eventually, freePort } from '@ferry/testing';
import { preview } from 'vite';

export const CONSOLE_ROOT = resolve(import.meta.dirname, '..', '..');
export const CONSOLE_DIST = join(CONSOLE_ROOT, 'dist');

export interface ConsoleServer {
  /** The console's address, ending in `/`. */
  readonly url: string;
  readonly via: 'gateway' | 'preview';
  close(): Promise<void>;
}

export async function serveConsole(p: Pipeline): Promise<ConsoleServer> {
  if (!existsSync(join(CONSOLE_DIST, 'index.html')))
    throw new Error(`${CONSOLE_DIST} is missing: build @ferry/console first`);
  const via = process.env['FERRY_CONSOLE_VIA'] === 'preview' ? 'preview' : 'gateway';
  const port = await freePort();
  const gateway = p.start('gateway', 'gateway', {
    GATEWAY_HOST: '127.0.0.1',
    GATEWAY_PORT: String(port),
    CONSOLE_DIR: via === 'gateway' ? CONSOLE_DIST : join(p.out, 'no-console'),
  });
  const gatewayUrl = `http://127.0.0.1:${port}`;
  await eventually(
    async () => {
      if (gateway.process.exitCode !== null)
        throw new Error(
          `the gateway exited (${gateway.process.exitCode}); see ${p.env['LOG_DIR']}`,
        );
      return (await healthAnswered(gatewayUrl)) === true;
    },
    'the gateway answers GraphQL',
    { timeoutMs: 60_000, intervalMs: 250 },
  );
  if (via === 'gateway') return { url: `${gatewayUrl}/`, via, close: async () => undefined };

  const server = await preview({
    root: CONSOLE_ROOT,
    configFile: false,
    logLevel: 'warn',
    build: { outDir: 'dist' },
    preview: {
      host: '127.0.0.1',
      port: await freePort(),
      strictPort: true,
      proxy: { '/api': { target: gatewayUrl, ws: true } },
    },
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not say where it listens');
  return { url, via, close: () => server.close() };
}

async function healthAnswered(base: string): Promise<boolean> {
  try {
    const response = await fetch(`${base}/api/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ health { status } }' }),
    });
    const body = (await response.json()) as { data?: { health?: { status?: string } } };
    return typeof body.data?.health?.status === 'string';
  } catch {
    return false;
  }
}
