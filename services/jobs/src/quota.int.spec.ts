import { migrationStream, vmClaimStream, type VmDescription } from '@ferry/contracts';
import { JetStreamEventStore } from '@ferry/event-store';
import {
  Cinder,
  loadCloudConfig,
  Neutron,
  Nova,
  OpenStackHttp,
  OpenStackSession,
} from '@ferry/openstack';
import { commandContext, natsWithStreams, testVm } from '@ferry/stages/testing';
import { loopbackOpenStack } from '@ferry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigrations } from './create-migrations.ts';
import { DEFAULT_OPTIONS } from './defaults.ts';
import { jobIdFor } from './job-id.ts';
import { selectionShortfalls } from './target-questions.ts';

const vm = (i: number): VmDescription => ({
  ...testVm,
  key: `ws-quota-${i}`,
  name: `quota-${i}`,
  cpus: 1,
  memoryMiB: 512,
  disks: [
    { index: 0, controller: 'scsi', slot: 'scsi0:0', path: '/d.vmdk', capacityBytes: 1 << 30 },
  ],
});

describe("a selection checked against the loopback cloud's quotas before any job is made", () => {
  let nats: Awaited<ReturnType<typeof natsWithStreams>>;
  let http: OpenStackHttp;
  let deps: Parameters<typeof createMigrations>[0];
  let store: JetStreamEventStore;

  beforeAll(async () => {
    const cloud = loopbackOpenStack();
    http = new OpenStackHttp({ timeoutMs: 60_000, retries: 2 });
    const session = new OpenStackSession(loadCloudConfig({ env: cloud.env }), http);
    nats = await natsWithStreams();
    store = new JetStreamEventStore(await nats.connect());
    // The project may hold 50 instances (deploy/openstack-dev/provision.py): 51 VMs cannot fit.
    const vms = new Map(Array.from({ length: 51 }, (_, i) => [vm(i).key, vm(i)] as const));
    deps = {
      store,
      inventory: { current: async () => vms },
      flags: { realConversion: true, openstackDeployment: true, rollback: true },
      defaults: DEFAULT_OPTIONS,
      shortfalls: selectionShortfalls(
        { nova: new Nova(session), neutron: new Neutron(session), cinder: new Cinder(session) },
        session,
      ),
    };
  }, 20 * 60_000);
  const streamLength = async (stream: string) => (await store.read(stream)).events.length;
  afterAll(async () => {
    await http.close();
    await nats?.close();
  });

  it('refuses a selection the project cannot hold, naming the shortfall, and makes no job', async () => {
    const keys = Array.from({ length: 51 }, (_, i) => vm(i).key);
    const outcome = await createMigrations(
      deps,
      { vmKeys: [...keys, 'ws-unknown'] },
      commandContext('quota-too-many'),
    );
    expect(outcome.jobs).toEqual([]);
    expect(outcome.skipped).toHaveLength(52);
    expect(outcome.skipped.at(-1)).toEqual({
      vmKey: 'ws-unknown',
      reason: 'unknown-vm',
      activeJobId: null,
    });
    const refused = outcome.skipped[0];
    expect(refused).toMatchObject({ vmKey: keys[0], reason: 'quota-exceeded', activeJobId: null });
    expect(refused?.detail).toMatch(
      /^the target cannot hold this selection: instances: 51 needed, \d+ free \(limit 50, \d+ in use\)/,
    );
    // Nothing was made: not the job any of them would have had, nor its claim on the VM.
    for (const key of [keys[0], keys[50]] as string[]) {
      expect(await streamLength(migrationStream(jobIdFor('quota-too-many', key)))).toBe(0);
      expect(await streamLength(vmClaimStream(key))).toBe(0);
    }
  });

  it('makes the jobs of a selection that fits', async () => {
    const outcome = await createMigrations(
      deps,
      { vmKeys: [vm(0).key, vm(1).key] },
      commandContext('quota-fits'),
    );
    expect(outcome.jobs.map((j) => j.vmKey)).toEqual([vm(0).key, vm(1).key]);
    expect(outcome.skipped).toEqual([]);
  });
});
