import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { emptyVmdk, startVsphereSimulator } from '@ferry/testing';
import { discoverVsphere, discoverWorkstation, Roots, VM_PROPERTIES } from '@ferry/vmware';
import { compare, type Measurement } from './measure.ts';

const VSPHERE_VMS = 1000;
const FOLDERS = 500;
/** Discovery's default batch: objects per RetrievePropertiesEx. */
const BATCH = 100;

/**
 * Discovery against the raw work underneath it: 1,000 VMs from the simulator against the same SOAP
 * round trips with their bodies read but not parsed; 500 Workstation folders against the same file
 * reads (directory walk, each .vmx, each VMDK's header, descriptor and allocation tables) unparsed.
 * Figures are microseconds per VM; the ratio is Ferry's time over the raw time (goal <= 1.5).
 */
export async function discoveryBench(): Promise<Measurement[]> {
  return [await vsphere(), await workstation()];
}

async function vsphere(): Promise<Measurement> {
  const credentials = { username: 'bench', password: 'bench-pw' };
  const vms = Array.from({ length: VSPHERE_VMS }, (_, i) => ({
    name: `vm${String(i).padStart(4, '0')}`,
    cpus: 2,
    memoryMiB: 4096,
    firmware: 'bios' as const,
    guestId: 'otherGuest',
    powerState: 'poweredOff' as const,
    disks: [{ capacityBytes: 10 * 1024 ** 3 }, { capacityBytes: 1024 ** 3 }],
    nics: [
      {
        mac: `00:50:56:00:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`,
        network: 'VM Network',
      },
    ],
  }));
  const sim = await startVsphereSimulator({ mode: 'esx', vms, ...credentials });
  try {
    const perVm = (ms: number) => (ms * 1000) / VSPHERE_VMS;
    return await compare({
      bench: 'discovery',
      metric: 'vsphere_time_per_vm',
      unit: 'us/VM',
      goal: '<= 1.5',
      rounds: 11,
      ferry: async () => {
        const started = performance.now();
        const found = await discoverVsphere({ url: sim.url, ...credentials });
        if (found.vms.length !== VSPHERE_VMS) throw new Error(`found ${found.vms.length} VMs`);
        return perVm(performance.now() - started);
      },
      raw: async () => perVm(await rawSoapRoundTrips(sim.url, credentials)),
    });
  } finally {
    await sim.stop();
  }
}

/** The round trips discovery makes, in the same order, with hand-written envelopes, bodies read and not parsed. */
async function rawSoapRoundTrips(
  url: string,
  credentials: { username: string; password: string },
): Promise<number> {
  const started = performance.now();
  let cookie = '';
  const call = async (method: string, target: string, body = '') => {
    const response = await request(url, {
      method: 'POST',
      headers: {
        'content-type': 'text/xml',
        soapaction: 'urn:vim25/6.5',
        ...(cookie ? { cookie } : {}),
      },
      body: `<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:vim25="urn:vim25"><soapenv:Body><vim25:${method}>${target}${body}</vim25:${method}></soapenv:Body></soapenv:Envelope>`,
    });
    const setCookie = response.headers['set-cookie'];
    if (typeof setCookie === 'string') cookie = setCookie.split(';')[0] ?? '';
    return response.body.text();
  };
  const between = (text: string, open: string, close: string) =>
    text.slice(text.indexOf(open) + open.length, text.indexOf(close, text.indexOf(open)));
  await call(
    'RetrieveServiceContent',
    '<vim25:_this type="ServiceInstance">ServiceInstance</vim25:_this>',
  );
  await call(
    'Login',
    '<vim25:_this type="SessionManager">ha-sessionmgr</vim25:_this>',
    `<vim25:userName>${credentials.username}</vim25:userName><vim25:password>${credentials.password}</vim25:password>`,
  );
  const collector = '<vim25:_this type="PropertyCollector">ha-property-collector</vim25:_this>';
  const filter = (refs: string[], paths: string[]) =>
    `<vim25:specSet>${[...new Set(refs.map((r) => r.slice(0, r.indexOf('"'))))].map((t) => `<vim25:propSet><vim25:type>${t}</vim25:type>${paths.map((p) => `<vim25:pathSet>${p}</vim25:pathSet>`).join('')}</vim25:propSet>`).join('')}${refs.map((r) => `<vim25:objectSet><vim25:obj type="${r}</vim25:obj></vim25:objectSet>`).join('')}<vim25:reportMissingObjectsInResults>true</vim25:reportMissingObjectsInResults></vim25:specSet><vim25:options></vim25:options>`;
  // A view, its members listed, their properties read a batch at a time, one call after another.
  const retrieve = async (
    type: string,
    paths: string[],
    container = '<vim25:container type="Folder">ha-folder-root</vim25:container>',
  ) => {
    const view = between(
      await call(
        'CreateContainerView',
        '<vim25:_this type="ViewManager">ViewManager</vim25:_this>',
        `${container}<vim25:type>${type}</vim25:type><vim25:recursive>true</vim25:recursive>`,
      ),
      '<returnval type="ContainerView">',
      '</returnval>',
    );
    const listing = await call(
      'RetrievePropertiesEx',
      collector,
      filter([`ContainerView">${view}`], ['view']),
    );
    // Each member as `Type">value`, cut from the answer with no parsing: `<ManagedObjectReference type="...">...<`.
    const members = listing
      .split('<ManagedObjectReference type="')
      .slice(1)
      .map((m) => m.slice(0, m.indexOf('<')));
    for (let i = 0; i < members.length; i += BATCH)
      await call('RetrievePropertiesEx', collector, filter(members.slice(i, i + BATCH), paths));
    await call('DestroyView', `<vim25:_this type="ContainerView">${view}</vim25:_this>`);
  };
  await retrieve('HostSystem', ['name']);
  await retrieve('Datacenter', ['name']);
  await retrieve(
    'VirtualMachine',
    [...VM_PROPERTIES],
    '<vim25:container type="Datacenter">ha-datacenter</vim25:container>',
  );
  await call('Logout', '<vim25:_this type="SessionManager">ha-sessionmgr</vim25:_this>');
  return performance.now() - started;
}

async function workstation(): Promise<Measurement> {
  const root = mkdtempSync(join(tmpdir(), 'ferry-bench-ws-'));
  try {
    for (let i = 0; i < FOLDERS; i++) {
      const dir = join(root, `vm${i}`);
      mkdirSync(dir);
      // Each VM its own disk (qemu-img's descriptor names the file it was made as).
      emptyVmdk(join(dir, `vm${i}.vmdk`), '8G');
      writeFileSync(
        join(dir, `vm${i}.vmx`),
        `.encoding = "UTF-8"\ndisplayName = "vm${i}"\nguestOS = "ubuntu-64"\nnumvcpus = "2"\nmemsize = "2048"\nscsi0.present = "TRUE"\nscsi0:0.present = "TRUE"\nscsi0:0.fileName = "vm${i}.vmdk"\nethernet0.present = "TRUE"\nethernet0.addressType = "generated"\nethernet0.generatedAddress = "00:0c:29:00:00:01"\n`,
      );
    }
    const perVm = (ms: number) => (ms * 1000) / FOLDERS;
    const roots = await Roots.of([root]);
    return await compare({
      bench: 'discovery',
      metric: 'workstation_time_per_vm',
      unit: 'us/VM',
      goal: '<= 1.5',
      rounds: 5,
      ferry: async () => {
        const started = performance.now();
        const found = await discoverWorkstation(roots);
        if (found.vms.length !== FOLDERS || found.vms.some((v) => v.problems))
          throw new Error('discovery found problems');
        return perVm(performance.now() - started);
      },
      raw: async () => perVm(await rawFileReads(root)),
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** The same reads, unparsed: the folder walk, each .vmx, each VMDK's header, descriptor and tables. */
async function rawFileReads(root: string): Promise<number> {
  const started = performance.now();
  for (const dir of await readdir(root)) {
    for (const name of await readdir(join(root, dir))) {
      if (name.endsWith('.vmx')) await readFile(join(root, dir, name));
      if (!name.endsWith('.vmdk')) continue;
      const fh = await open(join(root, dir, name), 'r');
      const header = Buffer.alloc(512);
      await fh.read(header, 0, 512, 0);
      const descriptor = Buffer.alloc(Number(header.readBigUInt64LE(36)) * 512);
      await fh.read(descriptor, 0, descriptor.length, Number(header.readBigUInt64LE(28)) * 512);
      const gdOffset = Number(header.readBigUInt64LE(56)) * 512;
      const tables = Math.ceil(
        Number(header.readBigUInt64LE(12)) /
          Number(header.readBigUInt64LE(20)) /
          header.readUInt32LE(44),
      );
      const gd = Buffer.alloc(tables * 4);
      await fh.read(gd, 0, gd.length, gdOffset);
      for (let t = 0; t < tables; t++) {
        const gt = gd.readUInt32LE(t * 4);
        if (gt) await fh.read(Buffer.alloc(2048), 0, 2048, gt * 512);
      }
      await fh.stat();
      await fh.close();
    }
  }
  return performance.now() - started;
}
