import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MigrationEvent, MigrationOptions, VmDescription } from '@ferry/contracts';
import { migrationStream } from '@ferry/contracts';
import { JetStreamEventStore } from '@ferry/event-store';
import { commandContext, delivered, natsWithStreams, testVm } from '@ferry/stages/testing';
import {
  Cinder,
  Glance,
  loadCloudConfig,
  Neutron,
  Nova,
  OpenStackHttp,
  OpenStackSession,
  Placement,
} from '@ferry/openstack';
import { eventually, loopbackOpenStack, type LoopbackOpenStack } from '@ferry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployJob, type ComputeDeps } from './deploy-job.ts';
import { uploadedJob as uploadedJobIn } from './uploaded-job.fixtures.ts';
import { verifyJob } from './verify-job.ts';

const MiB = 1024 * 1024;
// Job ids of this run: a warm cloud keeps what earlier runs left, and tags find images by job.
const run = randomBytes(3).toString('hex');
// A MAC per job (Neutron refuses one already in use on the network): this run's bytes, the job's number.
const macOf = (jobId: string) =>
  `00:50:56:${run.slice(0, 2)}:${run.slice(2, 4)}:${Number(/\d+$/.exec(jobId)?.[0] ?? 0)
    .toString(16)
    .padStart(2, '0')}`;
const GiB = 1024 * MiB;

describe('the compute service against a real Nova, Neutron and Cinder', () => {
  let cloud: LoopbackOpenStack;
  let nats: Awaited<ReturnType<typeof natsWithStreams>>;
  let store: JetStreamEventStore;
  let http: OpenStackHttp;
  let deps: ComputeDeps;
  let dir: string;
  let qcow2: string;
  const created: { servers: string[]; volumes: string[]; ports: string[]; images: string[] } = {
    servers: [],
    volumes: [],
    ports: [],
    images: [],
  };

  const vmWith = (jobId: string, disks: number, capacityBytes = GiB): VmDescription => ({
    ...testVm,
    key: `ws-${jobId}`,
    name: `vm-${jobId}`,
    cpus: 1,
    memoryMiB: 512,
    disks: Array.from({ length: disks }, (_, index) => ({
      index,
      controller: 'scsi',
      slot: `scsi0:${index}`,
      path: `/src/${index}.vmdk`,
      capacityBytes,
    })),
    nics: [{ index: 0, mac: macOf(jobId), macKind: 'static', network: 'VM Network' }],
  });

  /** A job at UPLOADED with the MACs kept; its images are removed after the tests. */
  async function uploadedJob(
    jobId: string,
    vm: VmDescription,
    jobOptions: Partial<MigrationOptions> = {},
  ) {
    const { imageIds } = await uploadedJobIn({ store, glance: deps.glance }, jobId, vm, qcow2, {
      keepMac: true,
      ...jobOptions,
    });
    created.images.push(...imageIds);
  }
  const events = async (jobId: string) =>
    (await store.read<MigrationEvent>(migrationStream(jobId))).events;

  beforeAll(async () => {
    cloud = loopbackOpenStack();
    nats = await natsWithStreams();
    store = new JetStreamEventStore(await nats.connect());
    http = new OpenStackHttp({ timeoutMs: 60_000, retries: 2 });
    const session = new OpenStackSession(loadCloudConfig({ env: cloud.env }), http);
    deps = {
      runner: { store, nc: await nats.connect(), service: 'compute', leaseMs: 60_000 },
      nova: new Nova(session),
      neutron: new Neutron(session),
      cinder: new Cinder(session),
      placement: new Placement(session),
      glance: new Glance(session),
      networkMapping: { 'VM Network': 'private' },
      volumeTimeoutMs: 120_000,
      verifyTimeoutMs: 120_000,
      bootWaitMs: 0,
      pollMs: 500,
    };
    dir = mkdtempSync(join(tmpdir(), 'ferry-compute-'));
    qcow2 = join(dir, 'boot.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', qcow2, '64M']);
    execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x5a 0 1M', qcow2]);
  }, 20 * 60_000);

  afterAll(async () => {
    for (const id of created.servers) await deps.nova.deleteServer(id);
    await eventually(
      async () =>
        (await Promise.all(created.servers.map((id) => deps.nova.server(id)))).every((x) => !x),
      'servers deleted',
      {
        timeoutMs: 60_000,
      },
    );
    for (const id of created.ports) await deps.neutron.deletePort(id);
    for (const id of created.volumes)
      await eventually(
        async () => !(await deps.cinder.deleteVolume(id).catch(() => true)),
        `volume ${id} deleted`,
        { timeoutMs: 60_000, intervalMs: 1000 },
      );
    for (const id of created.images) await deps.glance.delete(id);
    await http.close();
    await nats.close();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('boots a one-disk VM from its image on a Neutron port with the source MAC, sees it ACTIVE, and deletes it', async () => {
    const vm = vmWith(`${run}-cp1`, 1);
    await uploadedJob(`${run}-cp1`, vm);
    await deployJob(deps, `${run}-cp1`, commandContext('deploy-cp1'), delivered());
    const deployed = (await events(`${run}-cp1`)).at(-1);
    expect(deployed).toMatchObject({
      type: 'ServerDeployed',
      data: { bootMode: 'image', flavor: 'm1.tiny', reused: false },
    });
    if (deployed?.type !== 'ServerDeployed') throw new Error('not deployed');
    const { ports } = deployed.data;
    const serverId = deployed.data.serverId as string;
    created.servers.push(serverId);
    created.ports.push(...ports);
    await verifyJob(deps, `${run}-cp1`, commandContext('verify-cp1'), delivered());
    expect((await events(`${run}-cp1`)).at(-1)).toMatchObject({
      type: 'MigrationVerified',
      data: { outcome: 'verified', serverStatus: 'ACTIVE' },
    });
    // Seen by a client Ferry did not write.
    expect(cloud.cli<{ status: string }>('server', 'show', serverId).status).toBe('ACTIVE');
    expect(
      cloud.cli<{ mac_address: string; status: string }>('port', 'show', ports[0] as string),
    ).toMatchObject({
      mac_address: macOf(`${run}-cp1`),
    });
    expect(await deps.nova.deleteServer(serverId)).toBe(true);
  }, 180_000);

  it('boots a three-disk VM from one volume per disk, the data disks attached in the source order', async () => {
    const vm = vmWith(`${run}-cp2`, 3);
    await uploadedJob(`${run}-cp2`, vm, { bootMode: 'auto' });
    await deployJob(deps, `${run}-cp2`, commandContext('deploy-cp2'), delivered());
    const deployed = (await events(`${run}-cp2`)).at(-1);
    if (deployed?.type !== 'ServerDeployed') throw new Error(JSON.stringify(deployed));
    const serverId = deployed.data.serverId as string;
    created.servers.push(serverId);
    created.ports.push(...deployed.data.ports);
    created.volumes.push(...deployed.data.volumes);
    expect(deployed.data).toMatchObject({
      bootMode: 'volume',
      volumes: [expect.any(String), expect.any(String), expect.any(String)],
    });
    await verifyJob(deps, `${run}-cp2`, commandContext('verify-cp2'), delivered());
    expect((await events(`${run}-cp2`)).at(-1)?.type).toBe('MigrationVerified');
    // Each volume holds its disk (by Ferry's metadata), the first bootable, attached in disk order.
    for (const [index, volumeId] of deployed.data.volumes.entries()) {
      const volume = cloud.cli<{
        bootable: string;
        properties: Record<string, string>;
        attachments: { server_id: string; device: string }[];
      }>('volume', 'show', volumeId);
      expect(volume.properties).toMatchObject({
        ferry_job_id: `${run}-cp2`,
        ferry_disk_index: String(index),
      });
      // The device letter follows the disk order: vda/sda is disk 0, then b, c (the fake driver names them sdX).
      expect(volume.attachments.map((a) => [a.server_id, a.device])).toEqual([
        [serverId, expect.stringMatching(new RegExp(`^/dev/[sv]d${'abc'[index]}$`))],
      ]);
      if (index === 0) expect(volume.bootable).toBe('true');
    }
  }, 300_000);

  it("places the server as the operator chose: zone, security group, key pair, volume type, name; the source's notes in its metadata", async () => {
    const jobId = `${run}-cp7`;
    const names = { group: `ferry-sg-${run}`, key: `ferry-kp-${run}`, type: `ferry-vt-${run}` };
    // This test's own: its volume type can go only once its volumes have.
    const own = { servers: [] as string[], ports: [] as string[], volumes: [] as string[] };
    cloud.cli('security group', 'create', names.group);
    cloud.run('keypair', 'create', names.key);
    cloud.cli('volume type', 'create', names.type);
    try {
      const vm = {
        ...vmWith(jobId, 1),
        annotation: 'web tier, owner ops@example.org',
        attributes: { 'cost-center': 'CC-42' },
      };
      await uploadedJob(jobId, vm, {
        bootMode: 'volume',
        availabilityZone: 'nova',
        securityGroups: [names.group],
        keyName: names.key,
        volumeType: names.type,
        serverName: '{vm}-migrated',
      });
      await deployJob(deps, jobId, commandContext('deploy-cp7'), delivered());
      const deployed = (await events(jobId)).at(-1);
      if (deployed?.type !== 'ServerDeployed') throw new Error(JSON.stringify(deployed));
      const serverId = deployed.data.serverId as string;
      own.servers.push(serverId);
      own.ports.push(...deployed.data.ports);
      own.volumes.push(...deployed.data.volumes);
      await verifyJob(deps, jobId, commandContext('verify-cp7'), delivered());
      expect((await events(jobId)).at(-1)?.type).toBe('MigrationVerified');
      // As the openstack CLI shows them.
      const server = cloud.cli<{
        name: string;
        key_name: string;
        'OS-EXT-AZ:availability_zone': string;
        security_groups: { name: string }[];
        properties: Record<string, string>;
      }>('server', 'show', serverId);
      expect(server).toMatchObject({
        name: `vm-${jobId}-migrated`,
        key_name: names.key,
        'OS-EXT-AZ:availability_zone': 'nova',
        security_groups: [{ name: names.group }],
        properties: {
          vmware_annotation: 'web tier, owner ops@example.org',
          'vmware_attr_cost-center': 'CC-42',
          ferry_job_id: jobId,
        },
      });
      expect(
        cloud.cli<{ type: string }>('volume', 'show', deployed.data.volumes[0] as string).type,
      ).toBe(names.type);
      expect(
        cloud.cli<{ security_group_ids: string[] }>(
          'port',
          'show',
          deployed.data.ports[0] as string,
        ).security_group_ids,
      ).toHaveLength(1);
    } finally {
      // Whatever happened above: the server first, then what it held, then what they were of.
      for (const id of own.servers) await deps.nova.deleteServer(id);
      await eventually(
        async () =>
          (await Promise.all(own.servers.map((id) => deps.nova.server(id)))).every((x) => !x),
        'server deleted',
        { timeoutMs: 60_000 },
      );
      for (const port of own.ports) await deps.neutron.deletePort(port);
      cloud.run('security group', 'delete', names.group);
      cloud.run('keypair', 'delete', names.key);
      // Cinder detaches them once the server is gone; the type goes once no volume is of it.
      for (const id of own.volumes)
        await eventually(
          async () => !(await deps.cinder.deleteVolume(id).catch(() => true)),
          `volume ${id} deleted`,
          { timeoutMs: 120_000, intervalMs: 1000 },
        );
      cloud.run('volume type', 'delete', names.type);
    }
  }, 300_000);

  it('a flavor that does not exist, a volume over quota and a wrong password each fail the job plainly', async () => {
    await uploadedJob(`${run}-cp3`, vmWith(`${run}-cp3`, 1), { flavor: 'm9.huge' });
    await deployJob(deps, `${run}-cp3`, commandContext('deploy-cp3'), delivered());
    expect((await events(`${run}-cp3`)).at(-1)).toMatchObject({
      type: 'MigrationFailed',
      data: {
        stage: 'deployment',
        code: 'flavor-missing',
        retryable: false,
        message: expect.stringMatching(/^flavor m9\.huge does not exist \(there are: .*m1\.tiny/),
      },
    });

    await uploadedJob(`${run}-cp4`, vmWith(`${run}-cp4`, 2, 100_000 * GiB), { bootMode: 'volume' });
    await deployJob(deps, `${run}-cp4`, commandContext('deploy-cp4'), delivered());
    const overQuota = (await events(`${run}-cp4`)).at(-1);
    expect(overQuota).toMatchObject({
      type: 'MigrationFailed',
      data: {
        stage: 'deployment',
        code: 'quota-exceeded',
        retryable: false,
        message: expect.stringMatching(/^cinder POST .*quota/i),
      },
    });
    // The port made before the refusal is on the job, for rollback.
    for (const e of await events(`${run}-cp4`))
      if (e.type === 'ResourceRecorded' && e.data.resource.kind === 'port')
        created.ports.push(e.data.resource.id);

    const wrong = new OpenStackSession(
      loadCloudConfig({ env: { ...cloud.env, OS_PASSWORD: 'wrong' } }),
      http,
    );
    await uploadedJob(`${run}-cp5`, vmWith(`${run}-cp5`, 1));
    await deployJob(
      {
        ...deps,
        nova: new Nova(wrong),
        neutron: new Neutron(wrong),
        cinder: new Cinder(wrong),
        glance: new Glance(wrong),
      },
      `${run}-cp5`,
      commandContext('deploy-cp5'),
      delivered(),
    );
    expect((await events(`${run}-cp5`)).at(-1)).toMatchObject({
      type: 'MigrationFailed',
      data: {
        code: 'openstack-refused',
        message: expect.stringMatching(/^keystone POST \/v3\/auth\/tokens: HTTP 401/),
      },
    });
  }, 300_000);

  it("a server Nova cannot place goes to ERROR, and the failure carries Nova's fault", async () => {
    // Bigger than the fake hypervisor's disk: the scheduler finds no host.
    const flavor = `ferry-huge-${run}`;
    cloud.cli('flavor', 'create', '--vcpus', '1', '--ram', '512', '--disk', '700000', flavor);
    try {
      await uploadedJob(`${run}-cp6`, vmWith(`${run}-cp6`, 1), { flavor });
      await deployJob(deps, `${run}-cp6`, commandContext('deploy-cp6'), delivered());
      const deployed = (await events(`${run}-cp6`)).at(-1);
      if (deployed?.type !== 'ServerDeployed') throw new Error(JSON.stringify(deployed));
      created.servers.push(deployed.data.serverId as string);
      created.ports.push(...deployed.data.ports);
      await verifyJob(deps, `${run}-cp6`, commandContext('verify-cp6'), delivered());
      expect((await events(`${run}-cp6`)).at(-1)).toMatchObject({
        type: 'MigrationFailed',
        data: {
          stage: 'verification',
          code: 'server-error',
          retryable: false,
          message: expect.stringMatching(/went to ERROR: No valid host was found/),
        },
      });
    } finally {
      execFileSync('openstack', ['flavor', 'delete', flavor], {
        env: { PATH: '/usr/bin:/bin', ...cloud.env },
      });
    }
  }, 180_000);
});
