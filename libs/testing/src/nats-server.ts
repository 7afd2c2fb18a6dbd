import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { freePort } from './free-port.ts';

export interface NatsServer {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  /** Stops it (SIGTERM, then SIGKILL); the store stays until `remove`. */
  stop(): Promise<void>;
  /** Kills it outright, as a crash would. */
  kill(): Promise<void>;
  /** Starts it again on the same port and store. */
  restart(): Promise<void>;
  /** Stops it and deletes its store. */
  remove(): Promise<void>;
}

const NATS_SERVER = process.env.NATS_SERVER_BIN ?? 'nats-server';

/**
 * A real `nats-server -js` on a free loopback port with its own temporary store, ready when this
 * resolves. Never the machine's shared server, never a mock.
 */
export async function startNatsServer(
  options: { port?: number; storeDir?: string; args?: readonly string[] } = {},
): Promise<NatsServer> {
  const port = options.port ?? (await freePort());
  const storeDir = options.storeDir ?? mkdtempSync(join(tmpdir(), 'ferry-nats-'));
  const url = `nats://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const launch = async () => {
    const output: string[] = [];
    child = spawn(
      NATS_SERVER,
      ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir, ...(options.args ?? [])],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout?.on('data', (b: Buffer) => output.push(b.toString()));
    child.stderr?.on('data', (b: Buffer) => output.push(b.toString()));
    const exited = new Promise<never>((_, reject) =>
      child?.once('exit', (code) =>
        reject(
          new Error(`nats-server exited (${code}) on start:\n${output.join('').slice(-2000)}`),
        ),
      ),
    );
    exited.catch(() => undefined);
    await Promise.race([waitForJetStream(url), exited]);
  };

  const terminate = async (signal: NodeJS.Signals) => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill(signal);
    const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  };

  await launch();
  return {
    url,
    port,
    storeDir,
    stop: () => terminate('SIGTERM'),
    kill: () => terminate('SIGKILL'),
    restart: async () => {
      await terminate('SIGTERM');
      await launch();
    },
    remove: async () => {
      await terminate('SIGTERM');
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

/** Ready means: a client connects and JetStream answers an API request. */
async function waitForJetStream(url: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const nc = await connect({ servers: url, timeout: 1000, reconnect: false });
      try {
        await (await jetstreamManager(nc)).getAccountInfo();
        return;
      } finally {
        await nc.close();
      }
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`nats-server at ${url} not ready: ${(error as Error).message}`, {
          cause: error,
        });
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
