import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import {
  rejectionStreamId,
  STREAMS,
  type EventOf,
  type InventoryEvent,
  type SourceRef,
} from '@ferry/contracts';
import { emptyInventory, evolveInventory, listInventory } from '@ferry/domain';
import { JetStreamEventStore } from '@ferry/event-store';
import { rejectionRecorder } from '@ferry/stages';
import {
  connectNats,
  provisionStreams,
  publishCommand,
  type NatsConnection,
} from '@ferry/messaging';
import { createFerryMicroservice } from '@ferry/messaging/nest';
import { createLogger } from '@ferry/observability';
import {
  eventually,
  startNatsServer,
  startVsphereSimulator,
  type NatsServer,
  type VsphereSimulator,
} from '@ferry/testing';
import { vsphereSource, workstationSource } from '@ferry/vmware';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscoveryModule } from './discovery.module.ts';
import { inventoryStream } from './refresh.ts';

const vmx = (dir: string, name: string, cpus: number) => {
  mkdirSync(dir, { recursive: true });
  execFileSync('qemu-img', ['create', '-q', '-f', 'vmdk', join(dir, `${name}.vmdk`), '256M']);
  writeFileSync(
    join(dir, `${name}.vmx`),
    `.encoding = "UTF-8"\ndisplayName = "${name}"\nnumvcpus = "${cpus}"\nmemsize = "1024"\nscsi0.present = "TRUE"\nscsi0:0.present = "TRUE"\nscsi0:0.fileName = "${name}.vmdk"\n`,
  );
};

describe('the discovery service', () => {
  let server: NatsServer;
  let sim: VsphereSimulator;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let store: JetStreamEventStore;
  let root: string;
  let app: Awaited<ReturnType<typeof createFerryMicroservice>>;
  let n = 0;
  let esxRef: SourceRef;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ferry-discovery-'));
    vmx(join(root, 'alpha'), 'alpha', 2);
    vmx(join(root, 'beta'), 'beta', 1);
    sim = await startVsphereSimulator({
      mode: 'esx',
      vms: ['gamma', 'delta'].map((name) => ({
        name,
        cpus: 2,
        memoryMiB: 2048,
        firmware: 'bios',
        guestId: 'otherGuest',
        powerState: 'poweredOff',
        disks: [{ capacityBytes: 1024 ** 3 }],
        nics: [],
      })),
      username: 'ro',
      password: 'pw',
    });
    server = await startNatsServer();
    nc = await connectNats({ url: server.url, name: 'discovery-test' });
    jsm = await jetstreamManager(nc);
    await provisionStreams(jsm);
    store = new JetStreamEventStore(nc);
    const esx = vsphereSource('esxi', { url: sim.url, username: 'ro', password: 'pw' });
    esxRef = esx.ref;
    const logger = createLogger({
      service: 'discovery',
      role: 'worker',
      dir: join(root, 'logs'),
      console: false,
    });
    app = await createFerryMicroservice(
      DiscoveryModule.register({ store, sources: [workstationSource(root), esx], logger }),
      {
        connection: nc,
        consumer: {
          durable: 'discovery',
          filterSubject: 'ferry.cmd.discovery.>',
          concurrency: 2,
          ackWaitMs: 10_000,
        },
        reject: rejectionRecorder(store),
      },
    );
    await app.listen();
  }, 120_000);

  afterAll(async () => {
    await app.close();
    await nc.close();
    await server.remove();
    await sim.stop();
    rmSync(root, { recursive: true, force: true });
  });

  /** Publishes a refresh and waits until it was handled (acked or rejected). */
  const refresh = async (source?: SourceRef) => {
    const commandId = `refresh-${++n}`;
    await publishCommand(jetstream(nc), {
      type: 'RefreshInventory',
      data: source ? { source } : {},
      metadata: { commandId },
    });
    await eventually(
      async () => (await jsm.streams.info(STREAMS.commands)).state.messages === 0,
      `${commandId} to be handled`,
      { timeoutMs: 30_000 },
    );
    return commandId;
  };
  const inventoryEvents = async () => {
    const events: InventoryEvent[] = [];
    for await (const commit of store.readAll<InventoryEvent>())
      if (commit.streamName.startsWith('inventory-')) events.push(...commit.events);
    return events;
  };
  const inventory = async () =>
    listInventory(evolveInventory(emptyInventory, await inventoryEvents()));

  it('records every VM of every source, each once', async () => {
    await refresh();
    const events = await inventoryEvents();
    expect(
      events
        .filter((e) => e.type === 'VmDiscovered')
        .map((e) => (e as EventOf<'VmDiscovered'>).data.vm.name)
        .sort(),
    ).toEqual(['alpha', 'beta', 'delta', 'gamma']);
    expect((await inventory()).map((e) => [e.vm.name, e.stale])).toEqual([
      ['alpha', false],
      ['beta', false],
      ['delta', false],
      ['gamma', false],
    ]);
  });

  it('a refresh that finds nothing new records nothing', async () => {
    const before = (await inventoryEvents()).length;
    await refresh();
    expect((await inventoryEvents()).length).toBe(before);
  });

  it('records a changed VM with what changed, and a VM that is gone', async () => {
    vmx(join(root, 'alpha'), 'alpha', 8);
    rmSync(join(root, 'beta'), { recursive: true });
    await refresh({ kind: 'workstation', id: root });
    const events = await inventoryEvents();
    const changed = events.filter((e): e is EventOf<'VmChanged'> => e.type === 'VmChanged');
    expect(changed.map((e) => [e.data.vm.name, e.data.changed])).toEqual([['alpha', ['cpus']]]);
    expect(events.filter((e) => e.type === 'VmVanished')).toHaveLength(1);
    expect((await inventory()).map((e) => e.vm.name)).toEqual(['alpha', 'delta', 'gamma']);
  });

  it('a source that is down makes its VMs stale, not vanished', async () => {
    await sim.stop();
    await refresh();
    const { events } = await store.read<InventoryEvent>(inventoryStream(esxRef));
    expect(events.at(-1)?.type).toBe('InventorySourceUnreachable');
    expect((await inventory()).map((e) => [e.vm.name, e.stale])).toEqual([
      ['alpha', false],
      ['delta', true],
      ['gamma', true],
    ]);
  });

  it('refuses a refresh of a source that is not configured, with a CommandRejected its sender can read', async () => {
    const commandId = await refresh({ kind: 'esxi', id: 'not-configured:443' });
    const { events } = await store.read<EventOf<'CommandRejected'>>(
      `rejection-${await rejectionStreamId(commandId)}`,
    );
    expect(events[0]?.data).toMatchObject({
      reason: 'not-found',
      errors: [{ path: '/data/source', message: 'is not a configured source' }],
    });
  });
});
