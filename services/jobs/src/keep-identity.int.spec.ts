import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrationStream, type EventOf, type MigrationEvent } from '@ferry/contracts';
import { guestDisk, writeGuestTree } from '@ferry/converters/testing';
import { migrationDecider } from '@ferry/domain';
import { handleCommand, JetStreamEventStore } from '@ferry/event-store';
import {
  loadCloudConfig,
  Cinder,
  Neutron,
  Nova,
  OpenStackHttp,
  OpenStackSession,
  type Port,
} from '@ferry/openstack';
import { commandContext, delivered, natsWithStreams } from '@ferry/stages/testing';
import { loopbackOpenStack } from '@ferry/testing';
import { tempDirs } from '@ferry/tooling/temp-dirs';
import { discoverWorkstation, rereadVm, Roots } from '@ferry/vmware';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS } from './defaults.ts';
import { targetQuestions } from './target-questions.ts';
import { validateJob } from './validate-job.ts';

// A Workstation guest whose own ifupdown configuration gives eth0 an address no subnet of the
// target holds, and eth1 one that a port on the target already holds.
const INTERFACES = [
  'auto lo',
  'iface lo inet loopback',
  'auto eth0',
  'iface eth0 inet static',
  '    address 192.168.77.5/24',
  'auto eth1',
  'iface eth1 inet static',
  '    address 10.0.0.232/24',
  '',
].join('\n');

describe('validation of a job that keeps its identity: the guest read with libguestfs, the loopback cloud asked', () => {
  const tempDir = tempDirs('ferry-keep-identity-');
  let nats: Awaited<ReturnType<typeof natsWithStreams>>;
  let http: OpenStackHttp;
  let neutron: Neutron;
  let nova: Nova;
  let cinder: Cinder;
  let holder: Port | undefined;
  let root: string;

  beforeAll(async () => {
    const cloud = loopbackOpenStack();
    http = new OpenStackHttp({ timeoutMs: 60_000, retries: 2 });
    const session = new OpenStackSession(loadCloudConfig({ env: cloud.env }), http);
    neutron = new Neutron(session);
    nova = new Nova(session);
    cinder = new Cinder(session);
    nats = await natsWithStreams();
    root = tempDir();
    const dir = join(root, 'keeper');
    mkdirSync(dir);
    writeGuestTree(join(dir, 'tree'), { '/etc/network/interfaces': INTERFACES });
    guestDisk(join(dir, 'tree'), join(dir, 'keeper.vmdk'));
    writeFileSync(
      join(dir, 'keeper.vmx'),
      [
        'displayName = "keeper"',
        'guestOS = "debian12-64"',
        'memsize = "512"',
        'scsi0:0.present = "TRUE"',
        'scsi0:0.fileName = "keeper.vmdk"',
        ...[0, 1].flatMap((i) => [
          `ethernet${i}.present = "TRUE"`,
          `ethernet${i}.connectionType = "nat"`,
          `ethernet${i}.addressType = "static"`,
          `ethernet${i}.address = "00:50:56:aa:07:0${i}"`,
        ]),
        '',
      ].join('\n'),
    );
    const [network] = await neutron.networks({ name: 'private' });
    const [subnet] = await neutron.subnets({ network_id: network?.id as string });
    holder = await neutron.createPort({
      name: `keep-identity-holder-${process.pid}`,
      networkId: network?.id as string,
      fixedIps: [{ subnet_id: subnet?.id as string, ip_address: '10.0.0.232' }],
    });
  }, 20 * 60_000);
  afterAll(async () => {
    if (holder) await neutron.deletePort(holder.id);
    await http.close();
    await nats?.close();
  });

  it('reads both addresses from the guest, warns that the first goes to DHCP, and fails naming the port that holds the second', async () => {
    const store = new JetStreamEventStore(await nats.connect());
    const roots = await Roots.of([root]);
    const [vm] = (await discoverWorkstation(roots)).vms;
    if (!vm) throw new Error('keeper was not discovered');
    const jobId = 'job-keep-identity';
    await handleCommand(store, migrationDecider, migrationStream(jobId), {
      type: 'CreateMigration',
      data: {
        jobId,
        vmKey: vm.key,
        vmName: vm.name,
        source: vm.source,
        options: {
          ...DEFAULT_OPTIONS,
          keepMac: true,
          keepIps: true,
          networkMapping: { nat: 'private' },
        },
        flags: { realConversion: true, openstackDeployment: true, rollback: true },
      },
      metadata: commandContext('create-keep-identity'),
    });
    const settings = { VMWARE_WORKSTATION_PATHS: [root] } as unknown as Parameters<
      typeof rereadVm
    >[0];
    await validateJob(
      {
        runner: { store, nc: await nats.connect(), service: 'jobs', leaseMs: 60_000 },
        inventory: { current: async () => new Map([[vm.key, vm]]) },
        reread: (v) => rereadVm(settings, v),
        outputDir: join(root, 'out'),
        ...targetQuestions({ nova, neutron, cinder }, {}),
      },
      jobId,
      commandContext('validate-keep-identity'),
      delivered(),
    );

    const { events } = await store.read<MigrationEvent>(migrationStream(jobId));
    const validated = events.find((e) => e.type === 'MigrationValidated') as
      EventOf<'MigrationValidated'> | undefined;
    expect(validated?.data.vm.nics.map((n) => [n.mac, n.addresses, n.addressSource])).toEqual([
      ['00:50:56:aa:07:00', [{ ip: '192.168.77.5', prefix: 24 }], 'guest-config'],
      ['00:50:56:aa:07:01', [{ ip: '10.0.0.232', prefix: 24 }], 'guest-config'],
    ]);
    const checks = Object.fromEntries(validated?.data.checks.map((c) => [c.name, c]) ?? []);
    expect(checks['keep-mac']?.outcome).toBe('passed');
    expect(checks['keep-addresses']?.outcome).toBe('failed');
    expect(checks['keep-addresses']?.detail).toContain(
      'NIC 0 (00:50:56:aa:07:00): 192.168.77.5/24 fits no subnet of network',
    );
    expect(checks['keep-addresses']?.detail).toContain(': the port gets an address by DHCP');
    expect(checks['keep-addresses']?.detail).toContain(
      `NIC 1 (00:50:56:aa:07:01): 10.0.0.232/24 is already held by port keep-identity-holder-${process.pid} (${holder?.id}`,
    );
    // A failed check fails the job before any disk is touched.
    expect(events.at(-1)?.type).toBe('MigrationFailed');
  }, 300_000);
});
