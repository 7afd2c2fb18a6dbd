import type { VmDescription } from '@ferry/contracts';
import { loopbackOpenStack } from '@ferry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cinder } from '../block-storage/cinder.ts';
import { Nova } from '../compute/nova.ts';
import { loadCloudConfig } from '../config/cloud-config.ts';
import { OpenStackHttp } from '../http/openstack-http.ts';
import { OpenStackSession } from '../identity/session.ts';
import { Neutron } from '../network/neutron.ts';
import { selectionNeeds, shortfalls } from './capacity.ts';
import { targetUsage } from './target-usage.ts';

describe("the loopback cloud's quotas, as a selection is checked against them", () => {
  let http: OpenStackHttp;
  let session: OpenStackSession;
  beforeAll(() => {
    const cloud = loopbackOpenStack();
    http = new OpenStackHttp({ timeoutMs: 60_000, retries: 2 });
    session = new OpenStackSession(loadCloudConfig({ env: cloud.env }), http);
  }, 20 * 60_000);
  afterAll(async () => http.close());

  it('reads every quota a job draws on, and names what a too large selection lacks', async () => {
    const usage = await targetUsage(
      { nova: new Nova(session), neutron: new Neutron(session), cinder: new Cinder(session) },
      (await session.projectId()) as string,
    );
    // As deploy/openstack-dev/provision.py sets them for the project.
    expect(Object.fromEntries(Object.entries(usage).map(([k, q]) => [k, q.limit]))).toEqual({
      instances: 50,
      cores: 200,
      ramMiB: 409600,
      ports: 500,
      volumes: 100,
      gigabytes: 2000,
    });
    for (const q of Object.values(usage)) expect(q.used).toBeGreaterThanOrEqual(0);

    const vm = (i: number): VmDescription => ({
      key: `ws-q${i}`,
      name: `q${i}`,
      source: { kind: 'workstation', id: '/vms' },
      cpus: 1,
      memoryMiB: 512,
      firmware: 'bios',
      secureBoot: false,
      guestOs: 'debian12-64',
      powerState: 'poweredOff',
      hasSnapshots: false,
      disks: [
        { index: 0, controller: 'scsi', slot: 'scsi0:0', path: '/d', capacityBytes: 1 << 30 },
      ],
      nics: [],
    });
    const flavors = await new Nova(session).flavors();
    const many = Array.from({ length: 51 }, (_, i) => vm(i));
    const short = shortfalls(
      selectionNeeds(many, { bootMode: 'image', flavor: null }, flavors),
      usage,
    );
    expect(short[0]).toMatch(/^instances: 51 needed, \d+ free \(limit 50, \d+ in use\)$/);
  });
});
