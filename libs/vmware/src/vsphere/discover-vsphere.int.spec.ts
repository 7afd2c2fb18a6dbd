import { createServer, type Server } from 'node:net';
import { startVsphereSimulator, type SimulatedVm, type VsphereSimulator } from '@ferry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VmDescription } from '@ferry/contracts';
import { discoverVsphere, rereadVsphereVm } from './discover-vsphere.ts';
import {
  InvalidLoginError,
  NotAuthenticatedError,
  UntrustedCertificateError,
  VsphereError,
  VsphereTimeoutError,
} from './faults.ts';
import { READ_ONLY_METHODS, SoapTransport } from './soap.ts';

const GiB = 1024 ** 3;
const credentials = { username: 'ferry-ro', password: 'S3cr3t<&>"pass' };

const inventoryFor = (mode: 'esx' | 'vcenter'): SimulatedVm[] => [
  {
    name: 'web01',
    cpus: 2,
    memoryMiB: 4096,
    firmware: 'efi',
    guestId: 'ubuntu64Guest',
    powerState: 'poweredOn',
    disks: [{ capacityBytes: 10 * GiB }, { capacityBytes: 2 * GiB }],
    nics: [
      {
        mac: '00:50:56:aa:bb:01',
        network: 'VM Network',
        addresses: [
          { ip: '192.168.10.21', prefix: 24 },
          { ip: 'fe80::250:56ff:feaa:bb01', prefix: 64 },
          { ip: '2001:db8:10::21', prefix: 64 },
        ],
      },
    ],
  },
  {
    name: 'db01',
    cpus: 4,
    memoryMiB: 8192,
    firmware: 'bios',
    guestId: 'rhel8_64Guest',
    powerState: 'poweredOff',
    disks: [
      { capacityBytes: 40 * GiB },
      { capacityBytes: 100 * GiB, mode: 'independent_persistent', multiWriter: true },
      { capacityBytes: 1 * GiB, rdm: true },
    ],
    nics: [
      { mac: '00:50:56:aa:bb:02', network: 'VM Network' },
      { mac: '00:50:56:aa:bb:03', network: mode === 'vcenter' ? 'DC0_DVPG0' : 'VM Network' },
    ],
  },
  {
    name: 'empty01',
    cpus: 1,
    memoryMiB: 512,
    firmware: 'bios',
    guestId: 'otherGuest',
    powerState: 'poweredOff',
    disks: [],
    nics: [],
  },
  {
    name: 'facts01',
    cpus: 2,
    memoryMiB: 2048,
    firmware: 'efi',
    guestId: 'windows9Server64Guest',
    powerState: 'poweredOn',
    disks: [{ capacityBytes: 8 * GiB }],
    nics: [{ mac: '00:50:56:aa:bb:04', network: 'VM Network', sriov: true }],
    cpuHotAdd: true,
    memoryHotAdd: true,
    hostname: 'facts01.ferry.test',
    usbControllers: ['usb2', 'usb3'],
    vtpm: true,
    passthrough: ['PCI device 0', 'NVIDIA GRID vGPU'],
    scsiSharedBus: 'physicalSharing',
    annotation: 'Line one\nowner: ops@example.org',
    // Custom attributes are vCenter's: a standalone host has no custom fields manager.
    ...(mode === 'vcenter' && { attributes: { 'cost-center': 'CC-42', backup: 'nightly' } }),
  },
];

for (const mode of ['esx', 'vcenter'] as const) {
  describe(`vSphere discovery against the simulator in ${mode} mode`, () => {
    let sim: VsphereSimulator;
    beforeAll(async () => {
      sim = await startVsphereSimulator({ mode, vms: inventoryFor(mode), ...credentials });
    }, 120_000);
    afterAll(async () => sim.stop());

    it('gives back exactly the inventory the simulator was given', async () => {
      const inventory = await discoverVsphere({ url: sim.url, ...credentials });
      expect(inventory.apiType).toBe(mode === 'vcenter' ? 'VirtualCenter' : 'HostAgent');
      const got = [...inventory.vms].sort((a, b) => a.name.localeCompare(b.name));
      const want = [...inventoryFor(mode)].sort((a, b) => a.name.localeCompare(b.name));
      expect(
        got.map((vm) => ({
          name: vm.name,
          cpus: vm.cpus,
          memoryMiB: vm.memoryMiB,
          firmware: vm.firmware,
          guestId: vm.guestOs,
          powerState: vm.powerState,
        })),
      ).toEqual(
        want.map((vm) => ({
          name: vm.name,
          cpus: vm.cpus,
          memoryMiB: vm.memoryMiB,
          firmware: vm.firmware,
          guestId: vm.guestId,
          powerState: vm.powerState,
        })),
      );
      for (const [i, vm] of got.entries()) {
        const expected = want[i] as SimulatedVm;
        expect(
          vm.disks.map((d) => d.capacityBytes),
          vm.name,
        ).toEqual(expected.disks.map((d) => d.capacityBytes));
        expect(
          vm.disks.map((d) => d.path),
          vm.name,
        ).toEqual(
          expected.disks.map((_, n) => `[${sim.datastore}] ${vm.name}/${vm.name}_${n}.vmdk`),
        );
        expect(
          vm.nics.map((n) => [n.mac, n.macKind, n.network]),
          vm.name,
        ).toEqual(expected.nics.map((n) => [n.mac, 'static', n.network]));

        expect(vm.source).toEqual({
          kind: mode === 'vcenter' ? 'vcenter' : 'esxi',
          id: new URL(sim.url).host,
        });
        expect(vm.key).toMatch(/^vs-[0-9a-f]{12}-vm-\d+$/);
        expect(vm.uuid).toBe(sim.vms.find((v) => v.name === vm.name)?.uuid);
        expect(vm.labels?.host).toBeTruthy();
        // What fetching its files needs: the datacenter the datastore access is addressed by, and its .vmx.
        expect(vm.labels?.datacenter).toBe(mode === 'vcenter' ? 'DC0' : 'ha-datacenter');
        expect(vm.labels?.vmx).toBe(`[${sim.datastore}] ${vm.name}/${vm.name}.vmx`);
      }
      // What Tools report on web01's NIC, less its link-local address; nothing on db01's.
      expect(
        got.flatMap((vm) => vm.nics.map((n) => [vm.name, n.addressSource, n.addresses])),
      ).toEqual([
        ['db01', undefined, undefined],
        ['db01', undefined, undefined],
        ['facts01', undefined, undefined],
        [
          'web01',
          'guest-tools',
          [
            { ip: '192.168.10.21', prefix: 24 },
            { ip: '2001:db8:10::21', prefix: 64 },
          ],
        ],
      ]);
      expect(got.find((v) => v.name === 'db01')?.disks.map((d) => d.slot)).toEqual([
        'scsi0:0',
        'scsi0:1',
        'scsi0:2',
      ]);
    });

    it('given VMs declaring devices and settings pre-flight rules judge, when discovered, then each is in its facts', async () => {
      const { vms } = await discoverVsphere({ url: sim.url, ...credentials });

      const facts = Object.fromEntries(vms.map((vm) => [vm.name, vm.facts]));
      const none = {
        passthrough: [],
        sriov: [],
        rawDiskMappings: [],
        sharedDisks: [],
        independentDisks: [],
        usbControllers: 0,
        vtpm: false,
        cpuHotAdd: false,
        memoryHotAdd: false,
        memoryAssumed: false,
        missingDatastores: [],
      };
      expect(facts).toEqual({
        web01: none,
        db01: {
          ...none,
          rawDiskMappings: ['scsi0:2'],
          sharedDisks: ['scsi0:1'],
          independentDisks: ['scsi0:1'],
        },
        empty01: none,
        facts01: {
          ...none,
          passthrough: ['PCI device 0', 'NVIDIA GRID vGPU'],
          sriov: ['Network adapter 1'],
          sharedDisks: ['scsi0:0'],
          usbControllers: 2,
          vtpm: true,
          cpuHotAdd: true,
          memoryHotAdd: true,
          hostname: 'facts01.ferry.test',
        },
      });
      // The SR-IOV NIC is carried as a NIC too.
      expect(vms.find((vm) => vm.name === 'facts01')?.nics.map((n) => n.mac)).toEqual([
        '00:50:56:aa:bb:04',
      ]);
    });

    it('given a VM with notes and custom attributes, when discovered, then both are in its description', async () => {
      const { vms } = await discoverVsphere({ url: sim.url, ...credentials });

      const facts01 = vms.find((vm) => vm.name === 'facts01');
      expect(facts01?.annotation).toBe('Line one\nowner: ops@example.org');
      if (mode === 'vcenter')
        expect(facts01?.attributes).toEqual({ 'cost-center': 'CC-42', backup: 'nightly' });
      else expect(facts01).not.toHaveProperty('attributes');
      const web01 = vms.find((vm) => vm.name === 'web01');
      expect(web01).not.toHaveProperty('annotation');
      expect(web01).not.toHaveProperty('attributes');
    });

    it('refuses a wrong password with InvalidLogin, never echoing the password', async () => {
      const error = await discoverVsphere({
        url: sim.url,
        username: credentials.username,
        password: 'wrong-password',
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidLoginError);
      expect((error as Error).message).toBe(
        `vSphere at ${new URL(sim.url).host} refused the user name or password`,
      );
      expect((error as Error).message).not.toContain('wrong-password');
    });

    it('a call without a session is NotAuthenticated', async () => {
      const soap = new SoapTransport({ url: sim.url });
      const error = await soap
        .call('CreateContainerView', { type: 'ViewManager', value: 'ViewManager' }, '')
        .catch((e: unknown) => e);
      await soap.close();
      expect(error).toBeInstanceOf(NotAuthenticatedError);
    });

    it('reads one VM again by its reference, as discovery saw it; a VM that is gone is undefined', async () => {
      const { vms } = await discoverVsphere({ url: sim.url, ...credentials });
      for (const vm of vms)
        expect(await rereadVsphereVm({ url: sim.url, ...credentials }, vm)).toEqual(vm);
      const gone = { ...(vms[0] as VmDescription), labels: { moref: 'vm-nosuch' } };
      expect(await rereadVsphereVm({ url: sim.url, ...credentials }, gone)).toBeUndefined();
    });

    it('calls only read-only methods, and logs out', () => {
      const called = sim.methods();
      expect(called.length).toBeGreaterThan(0);
      expect(called.filter((m) => !(READ_ONLY_METHODS as readonly string[]).includes(m))).toEqual(
        [],
      );
      expect(called).toContain('Logout');
    });
  });
}

describe('vSphere TLS: verified by default, self-signed only when configured', () => {
  let sim: VsphereSimulator;
  beforeAll(async () => {
    sim = await startVsphereSimulator({ mode: 'esx', vms: [], tls: true, ...credentials });
  }, 120_000);
  afterAll(async () => sim.stop());

  it('refuses a self-signed certificate by default, naming the fix', async () => {
    const error = await discoverVsphere({ url: sim.url, ...credentials }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UntrustedCertificateError);
    expect((error as Error).message).toMatch(
      /certificate not trusted .*VMWARE_ESXI_INSECURE=true or pin its thumbprint/,
    );
  });

  it('accepts it when told to, or when its thumbprint is pinned; refuses a different pin', async () => {
    expect((await discoverVsphere({ url: sim.url, insecure: true, ...credentials })).apiType).toBe(
      'HostAgent',
    );
    expect(
      (await discoverVsphere({ url: sim.url, thumbprint: sim.thumbprint, ...credentials })).apiType,
    ).toBe('HostAgent');
    const wrong = await discoverVsphere({
      url: sim.url,
      thumbprint: '00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33',
      ...credentials,
    }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(UntrustedCertificateError);
  });
});

describe('vSphere transport limits', () => {
  let silent: Server;
  let port = 0;
  beforeAll(async () => {
    // Accepts connections and never answers.
    silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    port = (silent.address() as { port: number }).port;
  });
  afterAll(() => silent.close());

  it('gives up on a host that does not answer, with a timeout error', async () => {
    const error = await discoverVsphere({
      url: `http://127.0.0.1:${port}/sdk`,
      timeoutMs: 500,
      ...credentials,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VsphereTimeoutError);
  });

  it('refuses a response larger than its bound', async () => {
    const sim = await startVsphereSimulator({ mode: 'esx', vms: [], ...credentials });
    try {
      const error = await discoverVsphere({
        url: sim.url,
        maxResponseBytes: 500,
        ...credentials,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VsphereError);
      expect((error as VsphereError).fault).toBe('ResponseTooLarge');
    } finally {
      await sim.stop();
    }
  }, 60_000);
});
