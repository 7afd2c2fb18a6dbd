// The demo, in a real browser: the console served by the gateway, on every Ferry service, a real
// nats-server, qemu-img and the loopback OpenStack. Screenshots of each step go to
// .reports/screenshots/console-demo/.
import { PIPELINE_SERVICES, startPipeline, type Pipeline } from '@ferry/pipeline-testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { jobRow, migrateSelected, STATE_ORDER, vmRow, watchState } from './e2e/console-page.ts';
import { launchChromium } from './e2e/chromium.ts';
import { serveConsole, type ConsoleServer } from './e2e/console-server.ts';
import { screenshotFolder, stepShots } from './e2e/screenshots.ts';

describe('the console demo: discover, migrate, skip, watch to VERIFIED, fail and roll back', () => {
  let p: Pipeline;
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;
  let shot: (step: string) => Promise<string>;
  const keys = new Map<string, string>();
  const verified: string[] = [];
  let verifiedJob = '';
  /** A flavor Nova's quota can never hold: the deployment fails after conversion and upload. */
  const greedyFlavor = `ferry-console-greedy-${process.pid}`;

  beforeAll(async () => {
    p = await startPipeline();
    for (const name of PIPELINE_SERVICES) p.start(name);
    p.writeVm('demo-alpha', { mib: 64 });
    p.writeVm('demo-beta');
    p.writeVm('demo-gamma');
    p.writeVm('demo-delta', { mib: 64 });
    for (const name of ['demo-alpha', 'demo-beta', 'demo-gamma', 'demo-delta'])
      keys.set(name, await p.discovered(name));
    p.cloud.cli(
      'flavor',
      'create',
      '--vcpus',
      '1',
      '--ram',
      '4000000',
      '--disk',
      '1',
      greedyFlavor,
    );
    server = await serveConsole(p);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    page.setDefaultTimeout(30_000);
    shot = stepShots(page, screenshotFolder('console-demo'));
  }, 600_000);

  afterAll(async () => {
    if (verified.length > 0) p?.removeResourcesOf(verified);
    p?.cloud.run('flavor', 'delete', greedyFlavor);
    await browser?.close();
    await p?.close();
  });

  it('shows what discovery found, with the health of every backend', async () => {
    await page.goto(server.url);
    for (const [name, key] of keys) {
      await vmRow(page, name).waitFor();
      expect(await vmRow(page, name).getAttribute('data-vm-key')).toBe(key);
    }
    const alpha = vmRow(page, 'demo-alpha');
    expect(await alpha.innerText()).toMatch(/64 MiB/);
    expect(await alpha.innerText()).toMatch(/workstation:/);
    expect(await alpha.locator('[data-testid="active-job"]').innerText()).toBe('—');
    await page.getByTestId('live-status').and(page.locator('[data-status="live"]')).waitFor();

    const health = page.getByTestId('health-button');
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="health-button"]')?.getAttribute('data-status') !==
        'checking',
    );
    await health.click();
    const components = await page.getByTestId('health-table').innerText();
    expect(components).toMatch(/nats/);
    expect(components).toMatch(/openstack/);
    await shot('inventory-discovered');
    await page.keyboard.press('Escape');
    await page.getByTestId('health-table').waitFor({ state: 'detached' });
    // Discovery reads every source again on request; the console says the command went.
    await page.getByRole('button', { name: 'Refresh inventory' }).click();
    expect(await page.getByTestId('refresh-result').innerText()).toMatch(
      /^Refresh requested \(command \S+\)/,
    );
  });

  it('migrates the VMs selected, then skips them while their job is active, naming it', async () => {
    await page.getByRole('checkbox', { name: 'Select demo-alpha' }).check();
    expect(await page.getByTestId('selection-count').innerText()).toMatch(/^1 of 4 shown selected/);
    const result = await migrateSelected(page, {
      strategy: 'qemu-img',
      beforeStart: () => shot('migrate-form'),
    });
    const created = result.locator('[data-testid="created-jobs"] li');
    expect(await created.count()).toBe(1);
    verifiedJob = (await created.first().getAttribute('data-job-id')) ?? '';
    expect(verifiedJob).not.toBe('');
    expect(await created.first().getAttribute('data-vm-key')).toBe(keys.get('demo-alpha'));
    expect(await created.first().innerText()).toContain(`demo-alpha → job ${verifiedJob}`);
    // The job is real: its events are in the store.
    expect((await p.events(verifiedJob))[0]?.type).toBe('MigrationCreated');
    await shot('migration-created');

    // The same selection again: nothing new, the VM named with the job that holds it.
    const again = await migrateSelected(page, { strategy: 'qemu-img' });
    expect(await again.locator('[data-testid="created-jobs"]').count()).toBe(0);
    const skipped = again.locator('[data-testid="skipped-vms"] li');
    expect(await skipped.count()).toBe(1);
    expect(await skipped.first().getAttribute('data-reason')).toBe('active-job');
    expect(await skipped.first().getAttribute('data-active-job-id')).toBe(verifiedJob);
    expect(await skipped.first().innerText()).toBe(
      `demo-alpha already has an active job: job ${verifiedJob}.`,
    );
    expect(await skipped.first().getByRole('link').getAttribute('href')).toBe(
      `#/jobs/${verifiedJob}`,
    );
    // The announcement region carries it to screen readers.
    expect(await page.getByTestId('announcements').innerText()).toContain('Skipped 1 VM');
    await vmRow(page, 'demo-alpha')
      .locator(`[data-testid="active-job"] a[data-job-id="${verifiedJob}"]`)
      .waitFor();
    await shot('re-trigger-skipped');
  });

  it('follows the job live on the dashboard to VERIFIED, and shows all of it on its page', async () => {
    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    const row = jobRow(page, verifiedJob);
    await row.waitFor();
    expect(await row.getAttribute('data-vm-name')).toBe('demo-alpha');
    // Narrowed to the VM's own source, then to every source of its kind, it is still listed.
    const sourceFilter = page.getByLabel('Source');
    const folder = sourceFilter.locator('option[value^="workstation:"]');
    // The sources come in their own query, which may answer after the jobs'.
    await folder.first().waitFor({ state: 'attached' });
    expect(await folder.count()).toBe(1);
    await sourceFilter.selectOption((await folder.getAttribute('value')) ?? '');
    await row.waitFor();
    await sourceFilter.selectOption('workstation');
    await row.waitFor();
    await shot('dashboard-by-source');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await shot('dashboard-running');
    const seen = await watchState(row, 'VERIFIED', 240_000);
    // Live updates only ever move forward along the pipeline.
    const order = seen.map((s) => STATE_ORDER.indexOf(s));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    verified.push(verifiedJob);
    await row.locator('[data-disk="0"][data-percent="100"]').waitFor();
    expect(await row.getByTestId('dry-run').count()).toBe(0);
    await shot('dashboard-verified');

    await row.getByRole('link', { name: 'demo-alpha', exact: true }).click();
    const detail = page.getByTestId('job-detail');
    await detail.waitFor();
    expect(await detail.getAttribute('data-job-id')).toBe(verifiedJob);
    expect(await detail.getAttribute('data-state')).toBe('VERIFIED');
    expect(await page.getByTestId('conversion-commands').innerText()).toMatch(/^qemu-img convert/m);
    // The tool log, as the conversion service wrote it: the command as run.
    const toolLog = page.getByTestId('tool-log');
    await toolLog.waitFor();
    expect(await toolLog.innerText()).toMatch(/qemu-img \$ qemu-img convert -p -f vmdk -O qcow2/);
    const { servers, images } = p.resourcesOf(verifiedJob);
    expect(servers).toHaveLength(1);
    expect(await page.getByTestId('server-id').innerText()).toBe(servers[0]);
    expect(await page.getByTestId('image-id').innerText()).toBe(images[0]);
    const types = await page
      .getByTestId('timeline-event')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-type')));
    expect(types[0]).toBe('MigrationCreated');
    expect(types.at(-1)).toBe('MigrationVerified');
    expect(types).toHaveLength((await p.events(verifiedJob)).length);
    // Asked from this console with sign-in off: every event names the gateway as who asked.
    const askers = await page.getByTestId('timeline-actor').allInnerTexts();
    expect(new Set(askers)).toEqual(new Set(['gateway']));
    // No Cancel once finished, no Retry for a verified job.
    expect(await page.getByRole('button', { name: 'Cancel' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Retry', exact: true }).count()).toBe(0);
    await page.getByTestId('timeline-event').last().locator('summary').click();
    await shot('job-verified');
  });

  it('fails a deployment Nova refuses (over quota) and rolls back what the job made, live', async () => {
    await page.getByRole('link', { name: 'Inventory' }).click();
    await page.getByRole('checkbox', { name: 'Select demo-alpha' }).uncheck();
    await page.getByRole('checkbox', { name: 'Select demo-beta' }).check();
    const result = await migrateSelected(page, { strategy: 'qemu-img', flavor: greedyFlavor });
    const created = result.locator('[data-testid="created-jobs"] li');
    expect(await created.count()).toBe(1);
    const jobId = (await created.first().getAttribute('data-job-id')) ?? '';
    expect(await created.first().getAttribute('data-vm-key')).toBe(keys.get('demo-beta'));

    await created.first().getByRole('link').click();
    const detail = page.getByTestId('job-detail');
    await detail.waitFor();
    expect(await detail.getAttribute('data-job-id')).toBe(jobId);
    const seen = await watchState(detail, 'ROLLED_BACK', 240_000);
    expect(seen.at(-2)).toBe('FAILED');
    const error = page.getByTestId('job-error');
    expect(await error.getAttribute('data-stage')).toBe('deployment');
    await page.locator('[data-testid="rollback-outcome"][data-outcome="complete"]').waitFor();
    // The rollback's evidence: the image uploaded before Nova refused was deleted, and more.
    const steps = await page
      .getByTestId('rollback-steps')
      .locator('tbody tr')
      .evaluateAll((rows) =>
        rows.map((r) => `${r.querySelector('th')?.textContent}:${r.getAttribute('data-outcome')}`),
      );
    expect(steps).toContain('image:deleted');
    expect(steps.every((step) => /:(deleted|already-absent)$/.test(step))).toBe(true);
    expect(p.resourcesOf(jobId)).toEqual({ servers: [], images: [], ports: [], volumes: [] });
    const types = await page
      .getByTestId('timeline-event')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-type')));
    expect(types).toContain('ImageUploadCompleted');
    expect(types).toContain('MigrationFailed');
    expect(types.at(-1)).toBe('RollbackCompleted');
    // A rolled-back job may be retried; it can no longer be cancelled.
    expect(await page.getByRole('button', { name: 'Retry', exact: true }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Cancel' }).count()).toBe(0);
    await shot('job-rolled-back-deployment');
  });

  it('cancels an active job from its page, and rolls it back', async () => {
    await page.getByRole('link', { name: 'Inventory' }).click();
    await page.getByRole('checkbox', { name: 'Select demo-beta' }).uncheck();
    await page.getByRole('checkbox', { name: 'Select demo-delta' }).check();
    const result = await migrateSelected(page, { strategy: 'qemu-img' });
    const created = result.locator('[data-testid="created-jobs"] li');
    const jobId = (await created.first().getAttribute('data-job-id')) ?? '';
    await created.first().getByRole('link').click();
    const detail = page.getByTestId('job-detail');
    await detail.waitFor();
    await page.getByLabel('Reason (optional)').fill('changed my mind');
    await page.getByRole('button', { name: 'Cancel' }).click();
    const outcome = page.getByTestId('action-result').locator('[data-accepted]');
    await outcome.waitFor();
    expect(await outcome.getAttribute('data-accepted')).toBe('true');
    await watchState(detail, 'ROLLED_BACK', 120_000);
    const error = page.getByTestId('job-error');
    expect(await error.getAttribute('data-code')).toBe('cancelled');
    expect(await error.innerText()).toMatch(/changed my mind/);
    expect(p.resourcesOf(jobId)).toEqual({ servers: [], images: [], ports: [], volumes: [] });
    await shot('job-cancelled');
  });

  it('refuses a flavor that does not exist at validation, and rolls the job back', async () => {
    await page.getByRole('link', { name: 'Inventory' }).click();
    await page.getByRole('checkbox', { name: 'Select demo-delta' }).uncheck();
    await page.getByRole('checkbox', { name: 'Select demo-gamma' }).check();
    const result = await migrateSelected(page, { strategy: 'qemu-img', flavor: 'no-such-flavor' });
    const created = result.locator('[data-testid="created-jobs"] li');
    const jobId = (await created.first().getAttribute('data-job-id')) ?? '';
    expect(await created.first().getAttribute('data-vm-key')).toBe(keys.get('demo-gamma'));
    await created.first().getByRole('link').click();
    const detail = page.getByTestId('job-detail');
    await detail.waitFor();
    await watchState(detail, 'ROLLED_BACK', 120_000);
    const error = page.getByTestId('job-error');
    expect(await error.getAttribute('data-stage')).toBe('validation');
    expect(await error.innerText()).toMatch(/no-such-flavor does not exist/);
    expect(await page.getByTestId('validation-section').innerText()).toMatch(/target\s+failed/);
    await shot('job-rolled-back-validation');

    // Retry: a new attempt of the same job, its history kept; the flavor is still missing.
    await page.getByRole('button', { name: 'Retry', exact: true }).click();
    const outcome = page.getByTestId('action-result').locator('[data-accepted]');
    await outcome.waitFor();
    expect(await outcome.getAttribute('data-accepted')).toBe('true');
    expect(await outcome.innerText()).toMatch(/^Retry accepted/);
    await page.locator('[data-testid="job-attempt"][data-attempt="2"]').waitFor();
    await watchState(detail, 'ROLLED_BACK', 120_000);
    const retried = await p.events(jobId);
    expect(retried.filter((e) => e.type === 'RollbackCompleted')).toHaveLength(2);
    expect(await page.getByTestId('timeline-event').count()).toBe(retried.length);
    await shot('job-retried');

    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    await jobRow(page, jobId).waitFor();
    expect(await jobRow(page, jobId).getAttribute('data-state')).toBe('ROLLED_BACK');
    expect(await jobRow(page, verifiedJob).getAttribute('data-state')).toBe('VERIFIED');
    expect(await page.getByTestId('job-row').count()).toBe(4);
    // The dashboard's state filter, sent to the gateway.
    await page.getByRole('checkbox', { name: 'ROLLED_BACK' }).check();
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="job-row"]').length === 3,
    );
    const states = await page
      .getByTestId('job-row')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-state')));
    expect(states).toEqual(['ROLLED_BACK', 'ROLLED_BACK', 'ROLLED_BACK']);
    await shot('dashboard-rolled-back-filter');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="job-row"]').length === 4,
    );
    await shot('dashboard-final');
  });
});
