import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VmDescription } from '@ferry/contracts';
import {
  plainVm,
  startVsphereSimulator,
  writeDataImage,
  type VsphereSimulator,
} from '@ferry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskProblem } from '../vmdk/inspect-disk.ts';
import { DatastoreFiles, parseDatastorePath } from './datastore.ts';
import { discoverVsphere } from './discover-vsphere.ts';
import { VsphereError } from './faults.ts';
import { fetchVm } from './fetch-vm.ts';
import { READ_ONLY_METHODS, SoapTransport } from './soap.ts';

const MiB = 1024 * 1024;
const credentials = { username: 'ferry-ro', password: 'fetch-secret' };
const vmSpec = (name: string, disks: number) =>
  plainVm(
    name,
    Array.from({ length: disks }, () => 16 * MiB),
  );
const qemuImg = (cwd: string, ...args: string[]) => execFileSync('qemu-img', args, { cwd });

describe('fetching a VM from its datastore over HTTP', () => {
  let sim: VsphereSimulator;
  let work: string;
  let vms: VmDescription[];
  const folder = (vm: string) => join(sim.datastorePath, vm);

  beforeAll(async () => {
    sim = await startVsphereSimulator({
      mode: 'esx',
      vms: [vmSpec('web01', 2), vmSpec('lost01', 1), vmSpec('short01', 1)],
      cutDownloadsAfter: 256 * 1024,
      ...credentials,
    });
    work = mkdtempSync(join(tmpdir(), 'ferry-fetch-'));
    const data = join(work, 'data.raw');
    writeDataImage(data, 16 * MiB);
    /** A monolithicFlat VMDK of `data` (descriptor and -flat extent) in a VM's datastore folder. */
    const flatVmdk = (dir: string, file: string) =>
      qemuImg(
        dir,
        'convert',
        '-f',
        'raw',
        '-O',
        'vmdk',
        '-o',
        'subformat=monolithicFlat',
        data,
        file,
      );
    // web01: a flat disk, and a snapshot child over a flat base (the layout ESXi keeps).
    const web = folder('web01');
    flatVmdk(web, 'web01_0.vmdk');
    flatVmdk(web, 'web01_1-base.vmdk');
    rmSync(join(web, 'web01_1.vmdk'));
    qemuImg(web, 'create', '-f', 'vmdk', '-b', 'web01_1-base.vmdk', '-F', 'vmdk', 'web01_1.vmdk');
    execFileSync('qemu-io', ['-f', 'vmdk', '-c', 'write -P 0x5a 1M 1M', join(web, 'web01_1.vmdk')]);
    writeFileSync(
      join(web, 'web01.vmx'),
      '.encoding = "UTF-8"\ndisplayName = "web01"\nscsi0:0.fileName = "web01_0.vmdk"\n',
    );
    // lost01: its flat extent is not on the datastore. short01: its flat extent is cut short.
    flatVmdk(folder('lost01'), 'lost01_0.vmdk');
    rmSync(join(folder('lost01'), 'lost01_0-flat.vmdk'));
    flatVmdk(folder('short01'), 'short01_0.vmdk');
    truncateSync(join(folder('short01'), 'short01_0-flat.vmdk'), 4 * MiB);
    vms = [...(await discoverVsphere({ url: sim.url, ...credentials })).vms];
  }, 120_000);
  afterAll(async () => {
    await sim.stop();
    rmSync(work, { recursive: true, force: true });
  });
  const vm = (name: string) => vms.find((v) => v.name === name) as VmDescription;

  it('copies the .vmx and every disk with its snapshot chain, logged in, resuming transfers that broke off', async () => {
    const dest = join(work, 'web01');
    const progress = new Map<number, number[]>();
    const tops = await fetchVm({ url: sim.url, ...credentials }, vm('web01'), dest, {
      onProgress: (disk, fraction) => progress.set(disk, [...(progress.get(disk) ?? []), fraction]),
    });

    expect(vm('web01').labels).toMatchObject({
      datacenter: 'ha-datacenter',
      vmx: `[${sim.datastore}] web01/web01.vmx`,
    });
    for (const [index, remote] of ['web01_0.vmdk', 'web01_1.vmdk'].entries()) {
      const local = tops.get(index) as string;
      expect(local.endsWith(`/web01/${remote}`)).toBe(true);
      // Same guest-visible content, the chain included: qemu-img compare exits 0 only then.
      qemuImg(work, 'compare', '-f', 'vmdk', '-F', 'vmdk', join(folder('web01'), remote), local);
      expect(progress.get(index)?.at(-1)).toBe(1);
    }
    expect(readFileSync(join(dest, `ds-${sim.datastore}`, 'web01', 'web01.vmx'), 'utf8')).toContain(
      'displayName = "web01"',
    );
    const requests = sim.downloads();
    // Each extent broke off once (after at most 256 KiB) and was resumed from where it stopped.
    for (const extent of ['web01_0-flat.vmdk', 'web01_1-base-flat.vmdk'])
      expect(requests.filter((r) => r.startsWith(`GET /folder/web01/${extent} bytes=`))).toEqual([
        expect.stringMatching(/ bytes=[1-9]\d*-$/),
      ]);
    expect(requests.every((r) => /^(GET|HEAD) /.test(r))).toBe(true);
    expect(sim.methods().every((m) => (READ_ONLY_METHODS as readonly string[]).includes(m))).toBe(
      true,
    );
  });

  it('a second fetch into the same place finds the files whole and downloads nothing again', async () => {
    const dest = join(work, 'again');
    await fetchVm({ url: sim.url, ...credentials }, vm('web01'), dest);
    const before = sim.downloads().filter((r) => r.startsWith('GET')).length;
    await fetchVm({ url: sim.url, ...credentials }, vm('web01'), dest);
    expect(sim.downloads().filter((r) => r.startsWith('GET')).length).toBe(before);
  });

  it('the datastore refuses a request without a session, as real hosts do', async () => {
    const soap = new SoapTransport({ url: sim.url });
    try {
      const error = await new DatastoreFiles(soap, 'ha-datacenter')
        .size(parseDatastorePath(`[${sim.datastore}] web01/web01_0.vmdk`))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VsphereError);
      expect((error as VsphereError).fault).toBe('NotAuthenticated');
    } finally {
      await soap.close();
    }
  });

  it('names an extent missing from the datastore, and refuses one cut short', async () => {
    const lost = await fetchVm(
      { url: sim.url, ...credentials },
      vm('lost01'),
      join(work, 'lost'),
    ).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(VsphereError);
    expect((lost as VsphereError).fault).toBe('FileNotFound');
    expect((lost as Error).message).toBe(
      `[${sim.datastore}] lost01/lost01_0-flat.vmdk is not on the datastore`,
    );
    const short = await fetchVm(
      { url: sim.url, ...credentials },
      vm('short01'),
      join(work, 'short'),
    ).catch((e: unknown) => e);
    expect(short).toBeInstanceOf(DiskProblem);
    expect((short as Error).message).toMatch(
      /short01_0-flat\.vmdk: extent is truncated: 4194304 bytes, its descriptor needs 16777216/,
    );
  });

  it('refuses a datastore path that climbs out of its datastore', () => {
    expect(() => parseDatastorePath('[ds1] vm/../../etc/passwd')).toThrow(/leaves datastore ds1/);
    expect(parseDatastorePath('[ds1] vm/./a/../b.vmdk')).toEqual({
      datastore: 'ds1',
      path: 'vm/b.vmdk',
    });
  });
});
