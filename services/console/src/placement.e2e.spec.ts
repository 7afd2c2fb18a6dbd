// Placement, edit-and-retry, bulk cancel and a dry run's preview, chosen in a real browser: the
// console served by the gateway, on every Ferry service, a real nats-server, qemu-img and the
// loopback OpenStack, whose own CLI then says what landed. Screenshots go to
// .reports/screenshots/console-placement/.
import { appendFileSync } from 'node:fs';
import type { EventOf, MigrationEvent } from '@ferry/contracts';
import { PIPELINE_SERVICES, startPipeline, type Pipeline } from '@ferry/pipeline-testing';
import { startFaultProxy, type FaultProxy } from '@ferry/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { jobRow, migrateSelected, watchState } from './e2e/console-page.ts';
import { launchChromium } from './e2e/chromium.ts';
import { serveConsole, type ConsoleServer } from './e2e/console-server.ts';
import { screenshotFolder, stepShots } from './e2e/screenshots.ts';

const GLANCE = 'http://127.0.0.1:9292';
const MINUTE = 60_000;
const BULK = ['bulk-1', 'bulk-2', 'bulk-3', 'bulk-4', 'bulk-5'];

const of = <T extends MigrationEvent['type']>(events: readonly MigrationEvent[], type: T) =>
  events.findLast((e) => e.type === type) as EventOf<T> | undefined;

describe('the console: placement chosen, edit and retry, bulk cancel, a dry run that previews', () => {
  let p: Pipeline;
  let glance: FaultProxy;
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;
  let shot: (step: string) => Promise<string>;
  const done: string[] = [];
  const names = {
    group: `ferry-e2e-sg-${process.pid}`,
    key: `ferry-e2e-kp-${process.pid}`,
    type: `ferry-e2e-vt-${process.pid}`,
  };

  /** Migrates one VM from the inventory page; its job's id, once its page is open. */
  async function migrateOne(name: string, options: Parameters<typeof migrateSelected>[1]) {
    await page.getByRole('link', { name: 'Inventory' }).click();
    const selected = page.getByRole('checkbox', { name: /^Select / });
    for (const box of await selected.all()) if (await box.isChecked()) await box.uncheck();
    await page.getByRole('checkbox', { name: `Select ${name}`, exact: true }).check();
    const result = await migrateSelected(page, options);
    const created = result.locator('[data-testid="created-jobs"] li');
    const jobId = (await created.first().getAttribute('data-job-id')) ?? '';
    expect(jobId).not.toBe('');
    await created.first().getByRole('link').click();
    await page.getByTestId('job-detail').waitFor();
    return jobId;
  }

  beforeAll(async () => {
    glance = await startFaultProxy(GLANCE, { bytesPerSecond: 1024 * 1024 });
    p = await startPipeline({ OS_IMAGE_ENDPOINT_OVERRIDE: glance.url });
    for (const name of PIPELINE_SERVICES) p.start(name);
    const alpha = p.writeVm('place-alpha');
    appendFileSync(alpha, 'annotation = "web tier|0Aowner: ops@example.org"\n');
    for (const name of ['edit-beta', 'dry-gamma']) p.writeVm(name);
    for (const name of BULK) p.writeVm(name, { mib: 64 });
    for (const name of ['place-alpha', 'edit-beta', 'dry-gamma', ...BULK]) await p.discovered(name);
    p.cloud.cli('security group', 'create', names.group);
    p.cloud.run('keypair', 'create', names.key);
    p.cloud.cli('volume type', 'create', names.type);
    server = await serveConsole(p);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    page.setDefaultTimeout(30_000);
    shot = stepShots(page, screenshotFolder('console-placement'));
    await page.goto(server.url);
  }, 10 * MINUTE);

  afterAll(async () => {
    p?.removeResourcesOf(done);
    p?.cloud.run('security group', 'delete', names.group);
    p?.cloud.run('keypair', 'delete', names.key);
    p?.cloud.run('volume type', 'delete', names.type);
    await browser?.close();
    await p?.close();
    await glance?.close();
  });

  it(
    "lands the zone, security group, key pair, volume type and name chosen in the Migrate dialog on the server and its volume, the source's notes in its metadata",
    async () => {
      const jobId = await migrateOne('place-alpha', {
        strategy: 'qemu-img',
        bootMode: 'volume',
        fields: {
          'Availability zone': 'nova',
          'Security groups': names.group,
          'Key pair': names.key,
          'Volume type': names.type,
          'Server name': '{vm}-placed',
        },
      });
      done.push(jobId);
      await watchState(page.getByTestId('job-detail'), 'VERIFIED', 5 * MINUTE);
      const options = await page.getByTestId('options-section').innerText();
      for (const chosen of Object.values(names)) expect(options).toContain(chosen);
      await shot('placed-job-verified');

      const deployed = of(await p.events(jobId), 'ServerDeployed')?.data;
      const server = p.cloud.cli<{
        name: string;
        key_name: string;
        'OS-EXT-AZ:availability_zone': string;
        security_groups: { name: string }[];
        properties: Record<string, string>;
      }>('server', 'show', deployed?.serverId as string);
      expect(server).toMatchObject({
        name: 'place-alpha-placed',
        key_name: names.key,
        'OS-EXT-AZ:availability_zone': 'nova',
        security_groups: [{ name: names.group }],
        properties: { vmware_annotation: 'web tier\nowner: ops@example.org', ferry_job_id: jobId },
      });
      expect(
        p.cloud.cli<{ type: string }>('volume', 'show', deployed?.volumes[0] as string).type,
      ).toBe(names.type);
    },
    8 * MINUTE,
  );

  it(
    'edit and retry: a job rolled back for a flavor that does not exist, retried with m1.small, ends VERIFIED on it',
    async () => {
      const jobId = await migrateOne('edit-beta', {
        strategy: 'qemu-img',
        flavor: 'no-such-flavor',
      });
      done.push(jobId);
      const detail = page.getByTestId('job-detail');
      await watchState(detail, 'ROLLED_BACK', 3 * MINUTE);
      await page.getByRole('button', { name: 'Edit and retry…' }).click();
      const dialog = page.getByRole('dialog');
      expect(await dialog.getByLabel('Flavor').inputValue()).toBe('no-such-flavor');
      await dialog.getByLabel('Flavor').fill('m1.small');
      await shot('edit-and-retry-dialog');
      await dialog.getByRole('button', { name: 'Retry with these options' }).click();
      await dialog.waitFor({ state: 'detached' });
      await page.locator('[data-testid="job-attempt"][data-attempt="2"]').waitFor();
      await watchState(detail, 'VERIFIED', 5 * MINUTE);
      const events = await p.events(jobId);
      expect(of(events, 'MigrationRetried')?.data.options?.flavor).toBe('m1.small');
      const deployed = of(events, 'ServerDeployed')?.data;
      expect(deployed?.flavor).toBe('m1.small');
      expect(
        p.cloud.cli<{ flavor: string }>('server', 'show', deployed?.serverId as string).flavor,
      ).toMatch(/m1\.small/);
      expect(await page.getByTestId('options-section').innerText()).toMatch(/m1\.small/);
      await shot('edit-and-retry-verified');
    },
    10 * MINUTE,
  );

  it(
    'a bulk cancel of five jobs from the jobs list ends all five ROLLED_BACK, nothing of them left',
    async () => {
      // Uploads at 1 MiB/s: each job is still on its way when the cancel comes.
      await glance.mode('throttle');
      await page.getByRole('link', { name: 'Inventory' }).click();
      const selected = page.getByRole('checkbox', { name: /^Select / });
      for (const box of await selected.all()) if (await box.isChecked()) await box.uncheck();
      for (const name of BULK)
        await page.getByRole('checkbox', { name: `Select ${name}`, exact: true }).check();
      const result = await migrateSelected(page, { strategy: 'qemu-img' });
      const ids = await result
        .locator('[data-testid="created-jobs"] li')
        .evaluateAll((items) => items.map((li) => li.getAttribute('data-job-id') ?? ''));
      expect(ids).toHaveLength(5);
      await page.getByRole('link', { name: 'Jobs', exact: true }).click();
      // Every row there before the first click: a row the live list added above would move the rest.
      for (const id of ids) await jobRow(page, id).waitFor();
      for (const id of ids) await jobRow(page, id).getByRole('checkbox').check();
      await page.getByTestId('bulk-actions').getByText('5 selected').waitFor();
      await page.getByRole('button', { name: 'Cancel 5 job(s)' }).click();
      const answer = page.getByTestId('bulk-result');
      await answer.getByText('5 of 5 cancellations accepted.').waitFor();
      await shot('bulk-cancel-accepted');
      for (const id of ids) {
        const events = await p.ended(id, 5 * MINUTE);
        expect(of(events, 'MigrationFailed')?.data.code, id).toBe('cancelled');
        expect(events.at(-1), id).toMatchObject({
          type: 'RollbackCompleted',
          data: { outcome: 'complete', failed: 0 },
        });
        expect(p.resourcesOf(id), id).toEqual({ servers: [], images: [], ports: [], volumes: [] });
        expect(p.filesOf(id), id).toEqual([]);
      }
      for (const id of ids)
        await jobRow(page, id).and(page.locator('[data-state="ROLLED_BACK"]')).waitFor();
      await shot('bulk-cancel-rolled-back');
      await glance.mode('pass');
    },
    10 * MINUTE,
  );

  it(
    "a dry run's job page shows the flavor and network a real run would use, and nothing is made",
    async () => {
      // Jobs made from now on are dry runs for OpenStack: deployment is off where they are created.
      await p.services.get('jobs')?.stop();
      p.start('jobs', 'jobs-dry', { ENABLE_OPENSTACK_DEPLOYMENT: 'false' });
      const jobId = await migrateOne('dry-gamma', { strategy: 'qemu-img' });
      await watchState(page.getByTestId('job-detail'), 'VERIFIED', 5 * MINUTE);
      const network = p.cloud.cli<{ id: string }>('network', 'show', 'private').id;
      const deployed = page.locator('[data-testid="timeline-event"][data-type="ServerDeployed"]');
      expect(await deployed.locator('summary').innerText()).toContain(
        `dry run: no server; a real run would use flavor m1.tiny, network(s) ${network}`,
      );
      const target = (await p.events(jobId))
        .flatMap((e) => (e.type === 'MigrationValidated' ? e.data.checks : []))
        .find((c) => c.name === 'target');
      expect(target?.outcome).toBe('passed');
      expect(target?.detail).toMatch(
        /^dry run .*a real run would boot from image, flavor m1\.tiny/,
      );
      expect(p.resourcesOf(jobId)).toEqual({ servers: [], images: [], ports: [], volumes: [] });
      await shot('dry-run-preview');
    },
    8 * MINUTE,
  );
});
