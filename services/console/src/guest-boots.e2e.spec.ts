import { execFileSync } from 'node:child_process';
import { copyFileSync, linkSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EventOf, MigrationEvent } from '@ferry/contracts';
import { PIPELINE_SERVICES, startPipeline, type Pipeline } from '@ferry/pipeline-testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { launchChromium } from './e2e/chromium.ts';
import { serveConsole, type ConsoleServer } from './e2e/console-server.ts';
import { screenshotFolder, stepShots } from './e2e/screenshots.ts';

const BUILD_GUEST = resolve(import.meta.dirname, '../../../deploy/guest/build-debian-guest.sh');
const MINUTE = 60_000;
/** What the guest of deploy/guest has: a static MAC in its .vmx, a static address in its ifupdown. */
const GUEST = { name: 'ferry-debian-guest', mac: '00:50:56:12:34:56', ip: '10.0.0.200' };

const of = <T extends MigrationEvent['type']>(events: readonly MigrationEvent[], type: T) =>
  events.find((e) => e.type === type) as EventOf<T> | undefined;

// The one virt-v2v run of a real guest in the whole suite (about a quarter of an hour under
// software emulation), and the one real boot: Nova's libvirt host in zone "libvirt" of the
// loopback cloud runs the converted guest under QEMU. Asked for over NATS, as another system
// would; what it did is then read on the job's page in Chromium.
describe('a real Debian guest: virt-v2v through the services, MAC and address kept, booted for real', () => {
  let p: Pipeline;
  let server: ConsoleServer;
  let browser: Browser | undefined;
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
    server = await serveConsole(p);
  }, 25 * MINUTE);
  afterAll(async () => {
    p?.removeResourcesOf(jobs);
    await browser?.close();
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
      expect(outcome.jobs).toHaveLength(1);
      const jobId = outcome.jobs[0]?.jobId as string;
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
      const consoleLog = p.cloud.run('console', 'log', 'show', serverId);
      expect(consoleLog).toMatch(/ferry-guest login:/);
      expect(consoleLog).toContain(`eth0 ${GUEST.ip}`);
      expect(verified?.data.guest).toMatchObject({
        booted: true,
        addresses: [GUEST.ip],
        addressesKept: true,
      });
      expect(verified?.data.guest?.evidence).toMatch(/ferry-guest login:/);
      console.info(
        `real guest: conversion ${of(events, 'ConversionCompleted')?.data.durationMs} ms, ` +
          `ACTIVE after ${verified?.data.durationMs} ms, login prompt after ${verified?.data.guest?.waitedMs} ms more`,
      );

      // The job's page: the evidence in its timeline, and what virt-v2v said in its tool log.
      browser = await launchChromium();
      const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
      page.setDefaultTimeout(30_000);
      const shot = stepShots(page, screenshotFolder('console-real-guest'));
      await page.goto(`${server.url}#/jobs/${encodeURIComponent(jobId)}`);
      const detail = page.getByTestId('job-detail');
      await detail.and(page.locator('[data-state="VERIFIED"]')).waitFor();
      const verifiedRow = page.locator(
        '[data-testid="timeline-event"][data-type="MigrationVerified"]',
      );
      expect(await verifiedRow.locator('summary').innerText()).toMatch(
        new RegExp(
          `the guest booted to a login prompt in [\\d.]+ s, showing ${GUEST.ip.replaceAll('.', '\\.')} \\(the kept addresses\\)`,
        ),
      );
      const toolLog = page.getByTestId('tool-log');
      await toolLog.waitFor();
      const logText = await toolLog.innerText();
      expect(logText).toMatch(/virt-v2v \$ virt-v2v --machine-readable -i vmx /);
      expect(logText).toMatch(/Converting .* to run on KVM/);
      expect(await page.getByTestId('options-section').innerText()).toMatch(/libvirt/);
      await shot('job-verified-with-boot-evidence');
    },
    60 * MINUTE,
  );
});
