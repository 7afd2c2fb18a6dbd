import { execFileSync } from 'node:child_process';
import { copyFileSync, linkSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EventOf, MigrationEvent } from '@ferry/contracts';
import { readToolLog } from '@ferry/messaging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobIdFor } from './job-id.ts';
import { PIPELINE_SERVICES, startPipeline, type Pipeline } from '@ferry/pipeline-testing';

const BUILD_GUEST = resolve(import.meta.dirname, '../../../deploy/guest/build-debian-guest.sh');
const MINUTE = 60_000;
/** What the guest of deploy/guest has: a static MAC in its .vmx, a static address in its ifupdown. */
const GUEST = { name: 'ferry-debian-guest', mac: '00:50:56:12:34:56', ip: '10.0.0.200' };

const of = <T extends MigrationEvent['type']>(events: readonly MigrationEvent[], type: T) =>
  events.find((e) => e.type === type) as EventOf<T> | undefined;

// The one virt-v2v run of a real guest in the whole suite (about a quarter of an hour under
// software emulation), and the one real boot: Nova's libvirt host in zone "libvirt" of the
// loopback cloud runs the converted guest under QEMU.
describe('a real Debian guest: virt-v2v through the services, MAC and address kept, booted for real', () => {
  let p: Pipeline;
  const jobs: string[] = [];

  beforeAll(async () => {
    const guest = execFileSync('bash', [BUILD_GUEST], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 20 * MINUTE,
    }).trim();
    p = await startPipeline({ OPENSTACK_VERIFY_BOOT_SECONDS: '600' }, { secure: true });
    const dir = join(p.root, GUEST.name);
    mkdirSync(dir);
    for (const file of ['guest.vmx', 'guest.vmdk']) {
      // A link where the cache shares the filesystem (nothing writes to the source disk).
      try {
        linkSync(join(guest, file), join(dir, file));
      } catch {
        copyFileSync(join(guest, file), join(dir, file));
      }
    }
    for (const name of PIPELINE_SERVICES) p.start(name);
  }, 25 * MINUTE);
  afterAll(async () => {
    p?.removeResourcesOf(jobs);
    await p?.close();
  });

  it(
    'strategy auto converts it with virt-v2v; its port keeps the MAC and the fixed IP; its console shows the login prompt and the address; VERIFIED with that evidence',
    async () => {
      const key = await p.discovered(GUEST.name);
      const outcome = await p.migrate('e2e-real-guest', [key], {
        strategy: 'auto',
        keepMac: true,
        keepIps: true,
        availabilityZone: 'libvirt',
      });
      const jobId = jobIdFor('e2e-real-guest', key);
      expect(outcome.jobs).toEqual([{ vmKey: key, jobId }]);
      jobs.push(jobId);
      const events = await p.ended(jobId, 50 * MINUTE);
      const verified = of(events, 'MigrationVerified');
      expect(verified, JSON.stringify(of(events, 'MigrationFailed')?.data)).toBeDefined();

      // Validation read the guest's own configuration and said what will happen to its identity.
      const validated = of(events, 'MigrationValidated')?.data;
      expect(validated?.vm.nics[0]).toMatchObject({
        mac: GUEST.mac,
        addresses: [{ ip: GUEST.ip, prefix: 24 }],
        addressSource: 'guest-config',
      });
      const checks = Object.fromEntries((validated?.checks ?? []).map((c) => [c.name, c]));
      expect(checks['keep-mac']?.outcome).toBe('passed');
      expect(checks['keep-addresses']).toMatchObject({ outcome: 'passed' });
      expect(checks['keep-addresses']?.detail).toContain(`${GUEST.ip}/24 kept in subnet`);

      // virt-v2v ran, through the conversion service, to the end of its copy.
      expect(of(events, 'ConversionStarted')?.data.strategy).toBe('virt-v2v');
      expect(of(events, 'ConversionStarted')?.data.commands[0]?.[0]).toBe('virt-v2v');
      const progress = events.filter((e) => e.type === 'ConversionProgressed');
      expect(progress.at(-1)?.data).toMatchObject({ percent: 100 });
      // What virt-v2v said, in the job's tool log: the command as run, then its messages.
      const log = await readToolLog(p.nc, jobId);
      expect(log[0]).toMatchObject({ tool: 'virt-v2v', kind: 'command' });
      expect(log[0]?.text).toMatch(/^virt-v2v --machine-readable -i vmx /);
      expect(log.some((l) => /Converting .* to run on KVM/.test(l.text))).toBe(true);

      // The port, as the openstack CLI shows it.
      const portId = of(events, 'ServerDeployed')?.data.ports[0] as string;
      const port = p.cloud.cli<{ mac_address: string; fixed_ips: { ip_address: string }[] }>(
        'port',
        'show',
        portId,
      );
      expect(port.mac_address).toBe(GUEST.mac);
      expect(port.fixed_ips.map((f) => f.ip_address)).toEqual([GUEST.ip]);

      // The guest booted for real, at its kept address.
      const serverId = of(events, 'ServerDeployed')?.data.serverId as string;
      const console = p.cloud.run('console', 'log', 'show', serverId);
      expect(console).toMatch(/ferry-guest login:/);
      expect(console).toContain(`eth0 ${GUEST.ip}`);
      expect(verified?.data.guest).toMatchObject({
        booted: true,
        addresses: [GUEST.ip],
        addressesKept: true,
      });
      expect(verified?.data.guest?.evidence).toMatch(/ferry-guest login:/);
    },
    60 * MINUTE,
  );
});
