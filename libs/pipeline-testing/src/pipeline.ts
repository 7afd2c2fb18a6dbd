// The whole of Ferry on this machine for the e2e tiers: a real nats-server (or a cluster of them), every
// service as its own process, the loopback OpenStack, and Workstation VMs written the way Workstation
// writes them.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { EventOf, MigrationEvent, MigrationOptions } from '@ferry/contracts';
import { migrationStream, STREAMS } from '@ferry/contracts';
import { selectionStreamId } from '@ferry/contracts';
import { jobTag } from '@ferry/openstack';
import { JetStreamEventStore } from '@ferry/event-store';
import { natsWithStreams } from '@ferry/stages/testing';
import {
  connectNats,
  provisionStreams,
  publishCommand,
  WORKERS,
  type Identity,
  type NatsConnection,
} from '@ferry/messaging';
import { startSecureNats, type SecureNats } from '@ferry/messaging/testing';
import {
  eventually,
  loopbackOpenStack,
  startBuiltService,
  startNatsCluster,
  vmdkOf,
  writeDataImage,
  type NatsCluster,
  type NatsServer,
  type RunningService,
} from '@ferry/testing';

export const PIPELINE_SERVICES = WORKERS;
export type PipelineService = (typeof PIPELINE_SERVICES)[number];

export interface JobResources {
  readonly servers: string[];
  readonly images: string[];
  readonly ports: string[];
  readonly volumes: string[];
}

export interface Pipeline {
  readonly root: string;
  readonly out: string;
  readonly store: JetStreamEventStore;
  readonly nc: NatsConnection;
  readonly cloud: ReturnType<typeof loopbackOpenStack>;
  readonly env: Record<string, string>;
  readonly services: Map<string, RunningService>;
  /** The NATS cluster it runs on, when started with `{ natsCluster }`. */
  readonly cluster?: NatsCluster;
  /** The one nats-server it runs on otherwise: a test may kill it and start it again. */
  readonly natsServer?: NatsServer;
  /** Another connection to the pipeline's nats-server, as another system would open. */
  connect(): Promise<NatsConnection>;
  /** The folder of the identities' seeds, CA and keys, on a `secure` pipeline. */
  readonly identitiesDir?: string;
  /** A connection as one of Ferry's identities (on a `secure` pipeline). */
  connectAs(identity: Identity): Promise<NatsConnection>;
  /** The NATS settings of a process connecting as `identity` (its nkey and the CA, when secure). */
  natsEnv(identity: Identity): Record<string, string>;
  /** Starts (another instance of) a service (or the gateway), with more environment if given. */
  start(
    name: PipelineService | 'gateway',
    key?: string,
    env?: Readonly<Record<string, string>>,
  ): RunningService;
  /**
   * A Workstation VM with `disks` real disks of `mib` MiB (data in them; one by default) and `nics`
   * NICs (one by default), or a .vmx naming a missing disk.
   */
  writeVm(
    name: string,
    options?: { mib?: number; missingDisk?: boolean; disks?: number; nics?: number },
  ): string;
  /** Waits until discovery has seen the VM at `vmx`; its key. */
  discovered(name: string): Promise<string>;
  migrate(
    commandId: string,
    vmKeys: string[],
    options?: Partial<MigrationOptions>,
    timeoutMs?: number,
  ): Promise<EventOf<'MigrationSelectionProcessed'>['data']>;
  events(jobId: string): Promise<readonly MigrationEvent[]>;
  /** Waits until the job's last event is one of `types`. */
  ended(jobId: string, timeoutMs?: number): Promise<readonly MigrationEvent[]>;
  /** What OpenStack holds now, by job (four CLI calls, whatever the number of jobs). */
  resources(): { of(jobId: string): JobResources };
  /** The OpenStack resources of one job. */
  resourcesOf(jobId: string): JobResources;
  /** What the job left in MIGRATION_OUTPUT_DIR: the files under its folder, if it is there. */
  filesOf(jobId: string): string[];
  /** Deletes what verified jobs left in OpenStack (a real migration keeps it; a test run does not). */
  removeResourcesOf(jobIds: readonly string[]): void;
  close(): Promise<void>;
}

const MiB = 1024 * 1024;
const ENDINGS = new Set(['MigrationVerified', 'RollbackCompleted']);

export interface PipelineOptions {
  /**
   * Runs on a cluster of this many nats-server nodes instead of one: Ferry's streams replicated on
   * each (NATS_STREAM_REPLICAS), NATS_URL and the pipeline's own connections naming every node.
   */
  readonly natsCluster?: number;
  /**
   * Runs with the authorization and TLS of every deployment: each service as its own identity; the
   * pipeline's own connection as admin, `connectAs` for any other.
   */
  readonly secure?: boolean;
}

export async function startPipeline(
  env: Record<string, string> = {},
  options: PipelineOptions = {},
): Promise<Pipeline> {
  if (options.secure && options.natsCluster)
    throw new Error('startPipeline: a secure cluster is not made here yet');
  const secure = options.secure ? await startSecureNats() : undefined;
  // Before the folders: a NATS that does not come up (a cluster whose peers never join) leaves none.
  const nats = options.natsCluster
    ? await natsClusterWithStreams(options.natsCluster)
    : secure
      ? await withStreams(secure)
      : await natsWithStreams();
  const root = mkdtempSync(join(tmpdir(), 'ferry-pipeline-vms-'));
  const out = mkdtempSync(join(tmpdir(), 'ferry-pipeline-out-'));
  const nc = await nats.connect();
  const store = new JetStreamEventStore(nc);
  const cloud = loopbackOpenStack();
  const fullEnv = {
    ...cloud.env,
    NATS_URL: nats.server.url,
    ...(options.natsCluster ? { NATS_STREAM_REPLICAS: String(options.natsCluster) } : {}),
    LOG_DIR: join(out, 'logs'),
    VMWARE_WORKSTATION_PATHS: root,
    MIGRATION_OUTPUT_DIR: out,
    ENABLE_REAL_CONVERSION: 'true',
    ENABLE_OPENSTACK_DEPLOYMENT: 'true',
    ENABLE_ROLLBACK: 'true',
    OPENSTACK_NETWORK_MAPPING: '*=private',
    DISCOVERY_INTERVAL_SECONDS: '2',
    // The fake driver's console log never shows a login prompt: only a real guest's test waits.
    OPENSTACK_VERIFY_BOOT_SECONDS: '0',
    // Suites fail a deployment late with a flavor over Nova's quota (as when the quota shrinks after
    // the selection): the selection's own quota check, tested on its own, would refuse it up front.
    OPENSTACK_QUOTA_PRECHECK: 'false',
    ...env,
  };
  const services = new Map<string, RunningService>();
  const start: Pipeline['start'] = (name, key = name, env = {}) => {
    const s = startBuiltService(name, { ...fullEnv, ...identityEnv(secure, name), ...env });
    services.set(key, s);
    return s;
  };
  const inventory = async () => {
    const vms = new Map<string, string>();
    for await (const commit of store.readAll(0, { category: 'inventory' }))
      for (const e of commit.events)
        if (e.type === 'VmDiscovered' || e.type === 'VmChanged') {
          const vm = (e.data as EventOf<'VmDiscovered'>['data']).vm;
          vms.set(vm.name, vm.key);
        }
    return vms;
  };
  /** Each consumer's pending, unacknowledged and waiting pulls: a worker that pulls no more shows here. */
  const consumersNow = async () => {
    const lines: string[] = [];
    try {
      const jsm = await jetstreamManager(nc);
      for (const stream of Object.values(STREAMS))
        for await (const c of jsm.consumers.list(stream))
          lines.push(
            `${stream}/${c.name}: pending ${c.num_pending}, unacknowledged ${c.num_ack_pending}, redelivered ${c.num_redelivered}, pulls waiting ${c.num_waiting}`,
          );
    } catch (error) {
      lines.push(`(not read: ${String(error)})`);
    }
    return lines.join('\n');
  };
  const pipeline: Pipeline = {
    root,
    out,
    store,
    nc,
    cloud,
    env: fullEnv,
    services,
    ...('cluster' in nats ? { cluster: nats.cluster } : { natsServer: nats.server }),
    connect: () => nats.connect(),
    ...(secure && { identitiesDir: secure.files.dir }),
    natsEnv: (identity) => ({ NATS_URL: nats.server.url, ...identityEnv(secure, identity) }),
    connectAs: (identity) => {
      if (!secure) throw new Error('connectAs: the pipeline was not started secure');
      return secure.connectAs(identity);
    },
    start,
    writeVm(name, { mib = 24, missingDisk = false, disks = 1, nics = 1 } = {}) {
      const dir = join(root, name);
      mkdirSync(dir);
      const disk = (i: number) => (i === 0 ? `${name}.vmdk` : `${name}-${i}.vmdk`);
      if (!missingDisk)
        for (let i = 0; i < disks; i++) {
          const raw = join(dir, `${name}.raw`);
          writeDataImage(raw, mib * MiB);
          vmdkOf(raw, join(dir, disk(i)));
          rmSync(raw);
        }
      const vmx = join(dir, `${name}.vmx`);
      writeFileSync(
        vmx,
        [
          '.encoding = "UTF-8"',
          `displayName = "${name}"`,
          'guestOS = "debian12-64"',
          'numvcpus = "1"',
          'memsize = "512"',
          'scsi0.present = "TRUE"',
          'scsi0.virtualDev = "lsilogic"',
          ...Array.from({ length: disks }, (_, i) => [
            `scsi0:${i}.present = "TRUE"`,
            `scsi0:${i}.fileName = "${disk(i)}"`,
          ]).flat(),
          ...Array.from({ length: nics }, (_, i) => [
            `ethernet${i}.present = "TRUE"`,
            `ethernet${i}.connectionType = "nat"`,
            `ethernet${i}.addressType = "generated"`,
            `ethernet${i}.generatedAddress = "00:0c:29:12:34:${(0x56 + i).toString(16)}"`,
          ]).flat(),
          '',
        ].join('\n'),
      );
      return vmx;
    },
    discovered(name) {
      // A read that fails (a cluster still placing the reader's consumer) is asked again.
      return eventually(
        async () => (await inventory().catch(() => undefined))?.get(name),
        `${name} discovered`,
        { timeoutMs: 30_000, intervalMs: 250 },
      );
    },
    async migrate(commandId, vmKeys, options = {}, timeoutMs = 30_000) {
      await publishCommand(
        jetstream(nc),
        { type: 'CreateMigrations', data: { vmKeys, options }, metadata: { commandId } },
        { retryForMs: timeoutMs },
      );
      const stream = `selection-${await selectionStreamId(commandId)}`;
      const [processed] = await eventually(
        async () => {
          const events = (await whileStoreAway(() => store.read(stream)))?.events;
          return events?.length ? events : undefined;
        },
        'selection',
        { timeoutMs },
      );
      return (processed as unknown as EventOf<'MigrationSelectionProcessed'>).data;
    },
    async events(jobId) {
      return (await store.read<MigrationEvent>(migrationStream(jobId))).events;
    },
    async ended(jobId, timeoutMs = 240_000) {
      let seen: readonly MigrationEvent[] | undefined;
      try {
        return await eventually(
          async () => {
            seen = (await whileStoreAway(() => pipeline.events(jobId))) ?? seen;
            return seen && ENDINGS.has(seen.at(-1)?.type ?? '') ? seen : undefined;
          },
          `job ${jobId} ended`,
          { timeoutMs, intervalMs: 250 },
        );
      } catch (error) {
        // Where the job stopped, and who was pulling what, is what a failed run needs to be understood.
        // The story first, by type: CI repeats only the start of a failure's message.
        const story = (seen ?? []).map((e) => e.type).join(', ');
        const tail = (seen ?? []).slice(-12).map((e) => `${e.type} ${JSON.stringify(e.data)}`);
        throw new Error(
          `${(error as Error).message}: ${story}; its last events:\n${tail.join('\n')}\nconsumers:\n${await consumersNow()}`,
          { cause: error },
        );
      }
    },
    resources() {
      const servers = cloud.cli<{ ID: string; Properties: Record<string, string> }[]>(
        'server',
        'list',
        '--long',
        '--all-projects',
      );
      const images = cloud.cli<{ ID: string; Tags: string[] }[]>('image', 'list', '--long');
      const ports = cloud.cli<{ ID: string; Name: string }[]>('port', 'list');
      const volumes = cloud.cli<{ ID: string; Properties: Record<string, string> }[]>(
        'volume',
        'list',
        '--long',
        '--all-projects',
      );
      return {
        of: (jobId: string) => ({
          servers: servers.filter((r) => r.Properties['ferry_job_id'] === jobId).map((r) => r.ID),
          images: images.filter((r) => r.Tags.includes(jobTag(jobId))).map((r) => r.ID),
          ports: ports.filter((r) => r.Name.includes(jobId)).map((r) => r.ID),
          // Named for the VM's disks: the job's mark is in their metadata.
          volumes: volumes.filter((r) => r.Properties['ferry_job_id'] === jobId).map((r) => r.ID),
        }),
      };
    },
    resourcesOf: (jobId) => pipeline.resources().of(jobId),
    filesOf: (jobId) => {
      const folder = join(out, jobId);
      return existsSync(folder) ? readdirSync(folder, { recursive: true }).map(String) : [];
    },
    removeResourcesOf(jobIds) {
      const now = pipeline.resources();
      const all = jobIds.map((id) => now.of(id));
      const servers = all.flatMap((r) => r.servers);
      if (servers.length) cloud.run('server', 'delete', '--wait', ...servers);
      const ports = all.flatMap((r) => r.ports);
      if (ports.length) cloud.run('port', 'delete', ...ports);
      const volumes = all.flatMap((r) => r.volumes);
      if (volumes.length) cloud.run('volume', 'delete', ...volumes);
      const images = all.flatMap((r) => r.images);
      if (images.length) cloud.run('image', 'delete', ...images);
    },
    async close() {
      await Promise.all([...services.values()].map((s) => s.stop().catch(() => undefined)));
      await nats.close();
      rmSync(root, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
    },
  };
  return pipeline;
}

/** A nats-server with every deployment's authorization and TLS, and Ferry's streams made as admin. */
async function withStreams(secure: SecureNats) {
  const connect = () => secure.connectAs('admin');
  await provisionStreams(await jetstreamManager(await connect()));
  return { server: secure.server, connect, close: () => secure.close() };
}

/** Who a service connects as, on a secure pipeline: its own identity. */
const identityEnv = (secure: SecureNats | undefined, name: Identity): Record<string, string> =>
  secure ? { NATS_NKEY: secure.files.seed(name), NATS_CA: secure.files.ca } : {};

/** A NATS cluster with Ferry's streams, replicated on every node, and connections to all its nodes. */
async function natsClusterWithStreams(nodes: number) {
  const cluster = await startNatsCluster({ nodes });
  const connections: NatsConnection[] = [];
  const connect = async () => {
    const nc = await connectNats({ url: cluster.url, name: 'test' });
    connections.push(nc);
    return nc;
  };
  await provisionStreams(await jetstreamManager(await connect()), nodes);
  return {
    cluster,
    server: { url: cluster.url },
    connect,
    close: async () => {
      await Promise.all(connections.map((nc) => nc.close().catch(() => undefined)));
      await cluster.remove();
    },
  };
}

/** What `read` gives, or undefined while the store does not answer (a test that kills NATS waits). */
async function whileStoreAway<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if ((error as { code?: unknown }).code === 'STORE_UNAVAILABLE') return undefined;
    throw error;
  }
}
