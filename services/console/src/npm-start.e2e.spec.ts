// What a newcomer sees: `npm start` with nothing configured brings up NATS, every service and the
// console, discovers the sample VMs it writes, and a dry-run migration goes to its end in the
// console; a SIGTERM to the start script alone stops it all. Screenshots go to .reports/screenshots/npm-start/.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '@ferry/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { migrateSelected, vmRow, watchState } from './e2e/console-page.ts';
import { launchChromium } from './e2e/chromium.ts';
import { screenshotFolder, stepShots } from './e2e/screenshots.ts';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
/** Every process started with this state folder in its environment: what `npm start` began. */
const ferryProcesses = (state: string) =>
  readdirSync('/proc')
    .filter((pid) => /^\d+$/.test(pid))
    .flatMap((pid) => {
      try {
        const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
        if (!environ.includes(`FERRY_STATE_DIR=${state}`)) return [];
        const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
        return [{ pid: Number(pid), command }];
      } catch {
        return []; // gone meanwhile
      }
    });
const listening = (port: number) =>
  new Promise<boolean>((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => done(socket.end() !== undefined));
    socket.once('error', () => done(false));
  });

describe('npm start on a machine with nothing configured', () => {
  const state = mkdtempSync(join(tmpdir(), 'ferry-npm-start-'));
  let start: ChildProcess;
  let output = '';
  let consoleUrl: string;
  let natsPort: number;
  let gatewayPort: number;
  let browser: Browser;

  beforeAll(async () => {
    natsPort = await freePort();
    gatewayPort = await freePort();
    // Only what a fresh machine has: no NATS_URL, no VMware source, no cloud, default flags.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        ([k]) =>
          !/^(NATS_|VMWARE_|OS_|OPENSTACK_|ENABLE_|MIGRATION_|LOG_|METRICS_|OIDC_|GATEWAY_)/.test(
            k,
          ),
      ),
    );
    start = spawn('npm', ['start'], {
      cwd: ROOT,
      detached: true,
      env: {
        ...env,
        FERRY_STATE_DIR: state,
        FERRY_NATS_PORT: String(natsPort),
        GATEWAY_PORT: String(gatewayPort),
        FERRY_METRICS_PORT_BASE: String(await freePort()),
        MIGRATION_OUTPUT_DIR: join(state, 'migrations'),
        LOG_DIR: join(state, 'logs'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    start.stdout?.on('data', (b: Buffer) => (output += b.toString()));
    start.stderr?.on('data', (b: Buffer) => (output += b.toString()));
    const deadline = Date.now() + 300_000;
    for (;;) {
      const at = /ferry: console at (\S+),/.exec(output);
      if (at?.[1] && output.includes('ferry: running')) {
        consoleUrl = at[1];
        break;
      }
      if (start.exitCode !== null || Date.now() > deadline)
        throw new Error(`npm start did not come up:\n${output.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    browser = await launchChromium();
  }, 360_000);

  afterAll(async () => {
    await browser?.close();
    if (start?.exitCode === null) process.kill(-(start.pid as number), 'SIGKILL');
    // Whatever a failed stop left, in sessions of their own: not left to the next test.
    for (const { pid } of ferryProcesses(state)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // ended meanwhile
      }
    }
    rmSync(state, { recursive: true, force: true });
  });

  it('says what it started and where the console is', () => {
    expect(output).toMatch(/ferry: NATS with JetStream on nats:\/\/127\.0\.0\.1:\d+/);
    expect(output).toMatch(/TLS, an identity per service in /);
    expect(output).toMatch(
      /other systems connect with NATS_NKEY=\S+\/client\.nk NATS_CA=\S+\/ca\.pem/,
    );
    expect(output).toMatch(/ferry: no VMware source configured: discovering the sample VMs in /);
    for (const service of [
      'jobs',
      'discovery',
      'conversion',
      'image',
      'compute',
      'rollback',
      'gateway',
    ])
      expect(output).toMatch(new RegExp(`ferry: started ${service}`));
    expect(output).toMatch(/real conversion: +off \(dry run\)/);
    expect(output).toMatch(/OpenStack deployment: +off \(dry run\)/);
    expect(consoleUrl).toBe(`http://127.0.0.1:${gatewayPort}/`);
    expect(output).toMatch(
      /ferry: sign in to the console as the local administrator, password \S{20,} \(kept in \S+\)/,
    );
  });

  it('shows the sample VMs, and takes one through a dry-run migration to its end', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    page.setDefaultTimeout(60_000);
    const shot = stepShots(page, screenshotFolder('npm-start'));
    await page.goto(consoleUrl);
    // Sign-in first, with the password npm start printed: a wrong one is refused.
    const password = /local administrator, password (\S+) /.exec(output)?.[1] as string;
    await page.getByTestId('sign-in').click();
    await page.getByLabel('Password of the local administrator').fill(`${password}x`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('that is not the password').waitFor();
    await page.getByLabel('Password of the local administrator').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.getByTestId('signed-in-as').innerText()).toBe('Local administrator');
    for (const name of ['sample-web', 'sample-db', 'sample-win']) await vmRow(page, name).waitFor();
    await shot('sample-inventory');
    await page.getByRole('checkbox', { name: 'Select sample-db' }).check();
    const result = await migrateSelected(page);
    const created = result.locator('[data-testid="created-jobs"] li');
    expect(await created.count()).toBe(1);
    await created.first().getByRole('link').click();
    const detail = page.getByTestId('job-detail');
    await detail.waitFor();
    await watchState(detail, 'VERIFIED', 120_000);
    // It says plainly that nothing was really migrated.
    expect(await page.getByTestId('dry-run').count()).toBeGreaterThan(0);
    await shot('dry-run-verified');
  });

  it('refuses to open the gateway beyond this machine with no identity provider, naming the setting', () => {
    const refused = spawnSync('npm', ['start'], {
      cwd: ROOT,
      env: { ...process.env, GATEWAY_HOST: '0.0.0.0', OIDC_ISSUER: '', FERRY_STATE_DIR: state },
      encoding: 'utf8',
      timeout: 300_000,
    });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(
      /GATEWAY_HOST=0\.0\.0\.0 listens beyond this machine.*OIDC_ISSUER/,
    );
  });

  it('stops every process it started when the start script alone is sent SIGTERM, as a supervisor does', async () => {
    const started = ferryProcesses(state);
    // NATS, and each service's npm, shell and node.
    expect(started.filter((p) => p.command.includes('nats-server'))).toHaveLength(1);
    expect(started.filter((p) => /^node .*dist\/main\.js$/.test(p.command))).toHaveLength(7);
    const script = started.find((p) => p.command === 'bash deploy/dev/start.sh');
    expect(script).toBeDefined();
    const exited = new Promise<string>((done) =>
      start.once('exit', (code, signal) => done(signal ?? String(code))),
    );
    process.kill(script?.pid as number, 'SIGTERM');
    await exited;
    expect(output).toMatch(/ferry: stopped/);
    expect(ferryProcesses(state)).toEqual([]);
    expect(await listening(gatewayPort)).toBe(false);
    expect(await listening(natsPort)).toBe(false);
  });
});
