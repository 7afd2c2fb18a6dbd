import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { freePort } from './free-port.ts';
import { jetstreamBlock, MAX_PAYLOAD_LINE, natsServerProcess } from './nats-server.ts';

export interface NatsClusterNode {
  /** Its `server_name`, as JetStream names a stream's leader and replicas. */
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  /** Stops it (SIGTERM, then SIGKILL); its store stays. */
  stop(): Promise<void>;
  /** Kills it outright (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Starts it again on the same ports and store; resolves when JetStream answers through it. */
  restart(): Promise<void>;
}

export interface NatsCluster {
  /** Every node's URL, comma-separated: what NATS_URL holds for a cluster. */
  readonly url: string;
  readonly nodes: readonly NatsClusterNode[];
  /** Stops every node and deletes their stores and configurations. */
  remove(): Promise<void>;
}

/**
 * A cluster of real `nats-server -js` processes on free loopback ports (never the machine's shared
 * server): one configuration file and store per node, routes between all of them, a cluster name,
 * JetStream on each with its own `server_name`. Ready when JetStream answers through every node,
 * that is when the cluster has elected its meta leader.
 */
export async function startNatsCluster(options: { nodes?: number } = {}): Promise<NatsCluster> {
  const count = options.nodes ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'ferry-nats-cluster-'));
  const ports = await distinctFreePorts(count * 2);
  const specs = Array.from({ length: count }, (_, i) => ({
    name: `n${i + 1}`,
    port: ports[2 * i] as number,
    clusterPort: ports[2 * i + 1] as number,
  }));
  const nodes = specs.map((spec) => {
    const home = join(dir, spec.name);
    const storeDir = join(home, 'store');
    mkdirSync(storeDir, { recursive: true });
    const config = join(home, 'nats.conf');
    writeFileSync(
      config,
      [
        `server_name: ${spec.name}`,
        `listen: "127.0.0.1:${spec.port}"`,
        MAX_PAYLOAD_LINE,
        jetstreamBlock(storeDir),
        'cluster {',
        '  name: ferry-test',
        `  listen: "127.0.0.1:${spec.clusterPort}"`,
        '  routes: [',
        ...specs
          .filter((other) => other !== spec)
          .map((other) => `    "nats-route://127.0.0.1:${other.clusterPort}"`),
        '  ]',
        '}',
        '',
      ].join('\n'),
    );
    const url = `nats://127.0.0.1:${spec.port}`;
    // A cluster's JetStream answers once a majority elected a leader, which takes a few seconds.
    const process = natsServerProcess(['-c', config], url, 30_000);
    const node: NatsClusterNode = {
      name: spec.name,
      url,
      port: spec.port,
      storeDir,
      stop: () => process.stop(),
      kill: () => process.kill(),
      restart: async () => {
        await process.stop();
        await process.start();
      },
    };
    return { node, process };
  });
  const removeAll = async () => {
    await Promise.all(nodes.map(({ process }) => process.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  // All at once: none is ready before a majority of them runs.
  const started = await Promise.allSettled(nodes.map(({ process }) => process.start()));
  const failed = started.find((s) => s.status === 'rejected');
  try {
    if (failed) throw failed.reason;
    // A busy machine (a cloud and other suites beside it) has taken more than 30 s to join them.
    await waitForPeers(nodes[0]?.node.url as string, count, 90_000);
  } catch (error) {
    await removeAll();
    throw error;
  }
  return {
    url: nodes.map(({ node }) => node.url).join(','),
    nodes: nodes.map(({ node }) => node),
    remove: removeAll,
  };
}

/**
 * A meta leader can answer before every peer has joined it, and a stream with a replica on each node
 * is then refused ("no suitable peers for placement"): ready is when such a stream can be made.
 */
async function waitForPeers(url: string, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const nc = await connect({ servers: url, timeout: 1000 });
  try {
    const jsm = await jetstreamManager(nc);
    for (;;) {
      try {
        await jsm.streams.add({ name: 'ferry_placement_probe', num_replicas: count });
        await jsm.streams.delete('ferry_placement_probe');
        return;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`the NATS cluster's ${count} peers did not all join`, { cause: error });
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    await nc.close();
  }
}

/** `n` free loopback ports, no two the same (each is free on its own, not reserved). */
async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}
