import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type ConnectionOptions } from '@nats-io/transport-node';
import { freePort } from './free-port.ts';
import { natsServerBinary } from './nats-binary.ts';

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

/**
 * The JetStream block every test server runs with: what deployments run (deploy/nats/jetstream.conf),
 * an fsync before each acknowledgement, so a SIGKILLed server loses nothing it acknowledged.
 */
export const jetstreamBlock = (storeDir: string) =>
  `jetstream { store_dir: "${storeDir}", sync_interval: always }`;

/** The message size deployments allow (deploy/nats/single.conf): a 10,000-VM selection is one command. */
export const MAX_PAYLOAD_LINE = 'max_payload: 4MB';

/**
 * A real `nats-server` with JetStream (>= 2.10.23, `sync_interval: always`) on a free loopback port
 * with its own temporary store, ready when this resolves. Never the machine's shared server, never
 * a mock. `config` adds lines to its configuration file; `probe` is how a client connects to it
 * (credentials, TLS) when its configuration asks for that.
 */
export async function startNatsServer(
  options: {
    port?: number;
    storeDir?: string;
    config?: readonly string[];
    probe?: Partial<ConnectionOptions>;
  } = {},
): Promise<NatsServer> {
  const port = options.port ?? (await freePort());
  const storeDir = options.storeDir ?? mkdtempSync(join(tmpdir(), 'ferry-nats-'));
  const url = `nats://127.0.0.1:${port}`;
  const configFile = join(storeDir, 'nats.conf');
  writeFileSync(
    configFile,
    [
      `listen: "127.0.0.1:${port}"`,
      MAX_PAYLOAD_LINE,
      jetstreamBlock(storeDir),
      ...(options.config ?? []),
      '',
    ].join('\n'),
  );
  const server = natsServerProcess(['-c', configFile], url, 15_000, options.probe);
  await server.start();
  return {
    url,
    port,
    storeDir,
    stop: () => server.stop(),
    kill: () => server.kill(),
    restart: async () => {
      await server.stop();
      await server.start();
    },
    remove: async () => {
      await server.stop();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

/** One nats-server process, started (and started again) with the same arguments. */
export interface NatsServerProcess {
  /** Spawns it; resolves once JetStream answers at `url`, rejects if it exits first. */
  start(): Promise<void>;
  /** SIGTERM, SIGKILL after 5 s; resolves once it has exited. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash would; resolves once it has exited. */
  kill(): Promise<void>;
}

/** The process behind `startNatsServer` and each node of `startNatsCluster`. */
export function natsServerProcess(
  args: readonly string[],
  url: string,
  readyTimeoutMs = 15_000,
  probe: Partial<ConnectionOptions> = {},
): NatsServerProcess {
  let child: ChildProcess | undefined;

  const terminate = async (signal: NodeJS.Signals) => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill(signal);
    const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  };

  return {
    async start() {
      const output: string[] = [];
      const c = spawn(natsServerBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child = c;
      c.stdout.on('data', (b: Buffer) => output.push(b.toString()));
      c.stderr.on('data', (b: Buffer) => output.push(b.toString()));
      const exited = new Promise<never>((_, reject) =>
        c.once('exit', (code) =>
          reject(
            new Error(`nats-server exited (${code}) on start:\n${output.join('').slice(-2000)}`),
          ),
        ),
      );
      exited.catch(() => undefined);
      try {
        await Promise.race([waitForJetStream(url, readyTimeoutMs, probe), exited]);
      } finally {
        // Only the start-up output is kept (for the error above), not a long run's.
        c.stdout.removeAllListeners('data').resume();
        c.stderr.removeAllListeners('data').resume();
      }
    },
    stop: () => terminate('SIGTERM'),
    kill: () => terminate('SIGKILL'),
  };
}

/** Ready means: a client connects and JetStream answers an API request. */
async function waitForJetStream(
  url: string,
  timeoutMs: number,
  probe: Partial<ConnectionOptions>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const nc = await connect({ ...probe, servers: url, timeout: 1000, reconnect: false });
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
