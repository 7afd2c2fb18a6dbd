import { randomBytes } from 'node:crypto';
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
import { loopbackOpenStack, type LoopbackOpenStack } from '@ferry/testing';
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
  let cloud: LoopbackOpenStack;
  let nats: Awaited<ReturnType<typeof natsWithStreams>>;
  let http: OpenStackHttp;
  let deps: Parameters<typeof createMigrations>[0];
  let store: JetStreamEventStore;
  // A project of its own, as a team migrating into its tenant would have: room for two servers.
  const project = `ferry-quota-${randomBytes(3).toString('hex')}`;
  const volumeType = `${project}-type`;

  beforeAll(async () => {
    cloud = loopbackOpenStack();
    cloud.cli('project', 'create', project);
    cloud.run('role', 'add', '--user', 'admin', '--project', project, 'member');
    cloud.run('quota', 'set', '--instances', '2', project);
    cloud.cli('volume type', 'create', volumeType);
    cloud.run('quota', 'set', '--volume-type', volumeType, '--gigabytes', '0', project);
    http = new OpenStackHttp({ timeoutMs: 60_000, retries: 2 });
    const session = new OpenStackSession(
      loadCloudConfig({ env: { ...cloud.env, OS_PROJECT_NAME: project } }),
      http,
    );
    nats = await natsWithStreams();
    store = new JetStreamEventStore(await nats.connect());
    const vms = new Map(Array.from({ length: 3 }, (_, i) => [vm(i).key, vm(i)] as const));
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
    cloud?.run('project', 'delete', project);
    cloud?.run('volume type', 'delete', volumeType);
    await http?.close();
    await nats?.close();
  });

  it('refuses three VMs for a project whose instance quota is 2, naming the shortfall, and makes no job', async () => {
    const keys = [vm(0).key, vm(1).key, vm(2).key];
    const outcome = await createMigrations(
      deps,
      { vmKeys: [...keys, 'ws-unknown'] },
      commandContext('quota-too-many'),
    );
    expect(outcome.jobs).toEqual([]);
    expect(outcome.skipped).toHaveLength(4);
    expect(outcome.skipped.at(-1)).toEqual({
      vmKey: 'ws-unknown',
      reason: 'unknown-vm',
      activeJobId: null,
    });
    for (const [i, key] of keys.entries())
      expect(outcome.skipped[i]).toEqual({
        vmKey: key,
        reason: 'quota-exceeded',
        activeJobId: null,
        detail:
          'the target cannot hold this selection: instances: 3 needed, 2 free (limit 2, 0 in use)',
      });
    // Nothing was made: not the job any of them would have had, nor its claim on the VM.
    for (const key of keys) {
      expect(await streamLength(migrationStream(jobIdFor('quota-too-many', key)))).toBe(0);
      expect(await streamLength(vmClaimStream(key))).toBe(0);
    }
  });

  it("refuses volumes of a type past that type's own quota, naming it", async () => {
    const outcome = await createMigrations(
      deps,
      { vmKeys: [vm(0).key], options: { bootMode: 'volume', volumeType } },
      commandContext('quota-typed'),
    );
    expect(outcome.jobs).toEqual([]);
    expect(outcome.skipped[0]?.detail).toBe(
      'the target cannot hold this selection: GB of volumes of the chosen type: 1 needed, 0 free (limit 0, 0 in use)',
    );
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
