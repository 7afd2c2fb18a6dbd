import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PIPELINE_SERVICES, startPipeline, type Pipeline } from '@ferry/pipeline-testing';
import {
  startVsphereSimulator,
  vmdkOf,
  writeDataImage,
  type VsphereSimulator,
} from '@ferry/testing';

const MiB = 1024 * 1024;
/** The vSphere password: one a log line or an event could not hold by chance. */
const VSPHERE_PASSWORD = `vs-pw-${process.pid}-Zq7!x`;

/** Every file under `dir`, with its text. */
function filesUnder(dir: string): { path: string; text: string }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory()
      ? filesUnder(path)
      : [{ path, text: readFileSync(path, 'utf8') }];
  });
}

/**
 * A run with every secret in play: a vSphere source behind a password (discovery, validation, the
 * datastore download with its session cookie), the loopback OpenStack's password and the Keystone
 * tokens it issues (upload, deployment, a refused upload and its rollback), NATS with TLS and each
 * service's nkey (their seeds, the CA's and the server's private keys). Afterwards no log line and
 * no event holds any of them. (The gateway's bearer tokens: sign-in.int.spec.ts.)
 */
describe('secrets stay out of the logs and the events', () => {
  let p: Pipeline;
  let sim: VsphereSimulator;
  const jobs: string[] = [];

  beforeAll(async () => {
    sim = await startVsphereSimulator({
      mode: 'esx',
      tls: true,
      username: 'ferry-ro',
      password: VSPHERE_PASSWORD,
      vms: [
        {
          name: 'sec-esx',
          cpus: 1,
          memoryMiB: 512,
          firmware: 'bios',
          guestId: 'otherGuest',
          powerState: 'poweredOff',
          disks: [{ capacityBytes: 16 * MiB }],
          nics: [],
        },
      ],
    });
    // The datastore holds the VM's disk for real: a flat VMDK of 16 MiB with data in it.
    const folder = join(sim.datastorePath, 'sec-esx');
    writeDataImage(join(folder, 'data.raw'), 16 * MiB);
    vmdkOf(join(folder, 'data.raw'), join(folder, 'sec-esx_0.vmdk'), 'monolithicFlat');
    p = await startPipeline(
      {
        VMWARE_ESXI_HOST: sim.url,
        VMWARE_ESXI_USERNAME: 'ferry-ro',
        VMWARE_ESXI_PASSWORD: VSPHERE_PASSWORD,
        VMWARE_ESXI_THUMBPRINT: sim.thumbprint,
        LOG_LEVEL: 'debug',
      },
      { secure: true },
    );
    for (const name of PIPELINE_SERVICES) p.start(name);
  }, 600_000);
  afterAll(async () => {
    p?.removeResourcesOf(jobs);
    await p?.close();
    await sim?.stop();
  });

  it('migrates from vSphere and Workstation, fails one upload, and leaks no password or token', async () => {
    p.writeVm('sec-ws');
    // Glance's policy on the loopback cloud refuses the data of an image by this name (HTTP 403).
    p.writeVm('ferry-refused-upload');
    const keys = [
      await p.discovered('sec-esx'),
      await p.discovered('sec-ws'),
      await p.discovered('ferry-refused-upload'),
    ];
    const { jobs: created } = await p.migrate('leak-check-1', keys, { strategy: 'qemu-img' });
    expect(created).toHaveLength(3);
    const ends = await Promise.all(created.map((j) => p.ended(j.jobId)));
    jobs.push(...created.map((j) => j.jobId));
    expect(ends.map((events) => events.at(-1)?.type).sort()).toEqual([
      'MigrationVerified',
      'MigrationVerified',
      'RollbackCompleted',
    ]);

    const clouds = readFileSync(p.cloud.cloudsYaml, 'utf8');
    const passwords = [
      VSPHERE_PASSWORD,
      ...[...clouds.matchAll(/^\s*password:\s*(\S+)\s*$/gm)].map((m) => m[1] as string),
    ];
    expect(passwords.length).toBeGreaterThan(1);
    // Every nkey seed and private key the services and nats-server were given.
    const keyFiles = filesUnder(p.identitiesDir as string).filter((f) =>
      /\.nk$|key\.pem$/.test(f.path),
    );
    expect(keyFiles.length).toBeGreaterThan(8);
    const seedsAndKeys = keyFiles.map((f) =>
      f.path.endsWith('.nk') ? f.text.trim() : (f.text.match(/^[A-Za-z0-9+/=]{40,}$/m)?.[0] ?? ''),
    );
    expect(seedsAndKeys.every((k) => k.length >= 40)).toBe(true);
    const leaks = [
      ...passwords.map((secret) => ({
        what: 'a password',
        test: (t: string) => t.includes(secret),
      })),
      ...seedsAndKeys.map((secret) => ({
        what: 'a seed or key',
        test: (t: string) => t.includes(secret),
      })),
      // Any nkey seed, any PEM private key, whoever's.
      { what: 'an nkey seed', test: (t: string) => /\bS[UNAOC][A-Z2-7]{54,}/.test(t) },
      { what: 'a private key', test: (t: string) => t.includes('PRIVATE KEY-----') },
      // A Keystone (Fernet) token, and the vSphere session cookie's value.
      { what: 'a Keystone token', test: (t: string) => /gAAAAA[\w-]{40,}/.test(t) },
      {
        what: 'a vSphere session',
        test: (t: string) => /vmware_soap_session="?[\w-]{16,}/.test(t),
      },
    ];

    const logs = filesUnder(p.env['LOG_DIR'] as string);
    expect(logs.map((l) => l.path.split('/').at(-1))).toEqual(
      expect.arrayContaining(['worker.log']),
    );
    // The logs say what happened (debug level), just no secret.
    const text = logs.map((l) => l.text).join('');
    expect(text).toMatch(/"msg":"conversion service started"/);
    expect(text).toMatch(/"msg":"source refreshed"/);
    const events: string[] = [];
    for await (const commit of p.store.readAll(0))
      for (const e of commit.events) events.push(JSON.stringify(e));
    expect(events.length).toBeGreaterThan(30);
    const found = [
      ...logs.flatMap((l) =>
        leaks.filter((k) => k.test(l.text)).map((k) => `${k.what} in ${l.path}`),
      ),
      ...events.flatMap((e) =>
        leaks.filter((k) => k.test(e)).map((k) => `${k.what} in the event ${e.slice(0, 200)}`),
      ),
    ];
    expect(found).toEqual([]);
  });
});
