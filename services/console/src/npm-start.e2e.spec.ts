// What a newcomer sees: `npm start` with nothing configured brings up NATS, every service and the
// console, discovers the sample VMs it writes, and a dry-run migration goes to its end in the
// console; a SIGTERM to the start script alone stops it all. Screenshots go to .reports/screenshots/npm-start/.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { STREAMS } from '@ferry/contracts';
import { freePort, loopbackOpenStack, startNatsServer, type NatsServer } from '@ferry/testing';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

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
    const socket = connectTcp(port, '127.0.0.1');
    socket.once('connect', () => done(socket.end() !== undefined));
    socket.once('error', () => done(false));
  });

/** The environment of a fresh machine: none of Ferry's settings. */
const freshEnv = () =>
  Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) =>
        !/^(NATS_|VMWARE_|OS_|OPENSTACK_|ENABLE_|MIGRATION_|LOG_|METRICS_|OIDC_|GATEWAY_|FERRY_ENV_FILE)/.test(
          k,
        ),
    ),
  );

/** `npm start` in its own session, once it says it runs: what it printed, and the console's address. */
async function npmStart(env: NodeJS.ProcessEnv) {
  const start = spawn('npm', ['start'], {
    cwd: ROOT,
    detached: true,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run = { start, output: '', consoleUrl: '' };
  start.stdout?.on('data', (b: Buffer) => (run.output += b.toString()));
  start.stderr?.on('data', (b: Buffer) => (run.output += b.toString()));
  const deadline = Date.now() + 300_000;
  for (;;) {
    const at = /ferry: console at (\S+),/.exec(run.output);
    if (at?.[1] && run.output.includes('ferry: running')) {
      run.consoleUrl = at[1];
      return run;
    }
    if (start.exitCode !== null || Date.now() > deadline)
      throw new Error(`npm start did not come up:\n${run.output.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** What npm start printed, shown when a test fails: the services' own errors are in it. */
const showOutputOnFailure = (run: () => { output: string } | undefined) =>
  afterEach(({ task }) => {
    if (task.result?.state === 'fail')
      process.stderr.write(`npm start printed (its end):\n${run()?.output.slice(-6000) ?? ''}\n`);
  });

/** Stops what npm start left (in sessions of their own), so nothing is left to the next test. */
function killLeftovers(start: ChildProcess | undefined, state: string) {
  if (start?.pid !== undefined && start.exitCode === null) process.kill(-start.pid, 'SIGKILL');
  for (const { pid } of ferryProcesses(state)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // ended meanwhile
    }
  }
  rmSync(state, { recursive: true, force: true });
}

/** SIGTERM to the start script alone, as a supervisor sends it; resolves once npm start has ended. */
async function stopScript(start: ChildProcess, state: string) {
  const script = ferryProcesses(state).find((p) => p.command === 'bash deploy/dev/start.sh');
  expect(script).toBeDefined();
  const exited = new Promise<string>((done) =>
    start.once('exit', (code, signal) => done(signal ?? String(code))),
  );
  process.kill(script?.pid as number, 'SIGTERM');
  await exited;
}

describe('npm start on a machine with nothing configured', () => {
  const state = mkdtempSync(join(tmpdir(), 'ferry-npm-start-'));
  let run: Awaited<ReturnType<typeof npmStart>>;
  let natsPort: number;
  let gatewayPort: number;
  let browser: Browser;

  beforeAll(async () => {
    natsPort = await freePort();
    gatewayPort = await freePort();
    // Only what a fresh machine has: no NATS_URL, no VMware source, no cloud, default flags.
    run = await npmStart({
      ...freshEnv(),
      FERRY_STATE_DIR: state,
      FERRY_NATS_PORT: String(natsPort),
      GATEWAY_PORT: String(gatewayPort),
      FERRY_METRICS_PORT_BASE: String(await freePort()),
      MIGRATION_OUTPUT_DIR: join(state, 'migrations'),
      LOG_DIR: join(state, 'logs'),
    });
    browser = await launchChromium();
  }, 360_000);

  showOutputOnFailure(() => run);
  afterAll(async () => {
    await browser?.close();
    killLeftovers(run?.start, state);
  });

  it('says what it started and where the console is', () => {
    expect(run.output).toMatch(/ferry: NATS with JetStream on nats:\/\/127\.0\.0\.1:\d+/);
    expect(run.output).toMatch(/TLS, an identity per service in /);
    expect(run.output).toMatch(
      /other systems connect with NATS_NKEY=\S+\/client\.nk NATS_CA=\S+\/ca\.pem/,
    );
    expect(run.output).toMatch(
      /ferry: no VMware source configured: discovering the sample VMs in /,
    );
    for (const service of [
      'jobs',
      'discovery',
      'conversion',
      'image',
      'compute',
      'rollback',
      'gateway',
    ])
      expect(run.output).toMatch(new RegExp(`ferry: started ${service}`));
    expect(run.output).toMatch(/real conversion: +off \(dry run\)/);
    expect(run.output).toMatch(/OpenStack deployment: +off \(dry run\)/);
    expect(run.consoleUrl).toBe(`http://127.0.0.1:${gatewayPort}/`);
    expect(run.output).toMatch(
      /ferry: sign in to the console as the local administrator, password \S{20,} \(kept in \S+\)/,
    );
  });

  it('shows the sample VMs, and takes one through a dry-run migration to its end', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    page.setDefaultTimeout(60_000);
    const shot = stepShots(page, screenshotFolder('npm-start'));
    await page.goto(run.consoleUrl);
    // Sign-in first, with the password npm start printed: a wrong one is refused.
    const password = /local administrator, password (\S+) /.exec(run.output)?.[1] as string;
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
    await stopScript(run.start, state);
    expect(run.output).toMatch(/ferry: stopped/);
    expect(ferryProcesses(state)).toEqual([]);
    expect(await listening(gatewayPort)).toBe(false);
    expect(await listening(natsPort)).toBe(false);
  });
});

describe('npm start with its settings in a .env file', () => {
  const state = mkdtempSync(join(tmpdir(), 'ferry-npm-start-env-'));
  let nats: NatsServer;
  let run: Awaited<ReturnType<typeof npmStart>>;
  let gateway: string;

  beforeAll(async () => {
    const cloud = loopbackOpenStack();
    nats = await startNatsServer();
    // The operator's own NATS, and the cloud by name from its own clouds.yaml: only in the file.
    const envFile = join(state, '.env');
    writeFileSync(
      envFile,
      `NATS_URL=${nats.url}\nOS_CLIENT_CONFIG_FILE=${cloud.cloudsYaml}\nOS_CLOUD=openstack-ferry\n`,
    );
    const gatewayPort = await freePort();
    gateway = `http://127.0.0.1:${gatewayPort}`;
    run = await npmStart({
      ...freshEnv(),
      FERRY_ENV_FILE: envFile,
      FERRY_STATE_DIR: state,
      GATEWAY_PORT: String(gatewayPort),
      FERRY_METRICS_PORT_BASE: String(await freePort()),
      MIGRATION_OUTPUT_DIR: join(state, 'migrations'),
      LOG_DIR: join(state, 'logs'),
    });
  }, 20 * 60_000);

  showOutputOnFailure(() => run);
  afterAll(async () => {
    killLeftovers(run?.start, state);
    await nats?.remove();
  });

  it("uses the file's NATS_URL: no NATS of its own, every service on the operator's server", async () => {
    expect(run.output).toContain(`ferry: using NATS at ${nats.url} (NATS_URL)`);
    expect(run.output).not.toMatch(/NATS with JetStream on/);
    expect(ferryProcesses(state).filter((p) => p.command.includes('nats-server'))).toEqual([]);
    const nc = await connect({ servers: nats.url });
    try {
      const consumers = [];
      for await (const c of (await jetstreamManager(nc)).consumers.list(STREAMS.commands))
        consumers.push(c.name);
      for (const worker of ['discovery', 'jobs', 'conversion', 'compute', 'rollback'])
        expect(consumers).toContain(worker);
    } finally {
      await nc.close();
    }
  });

  it("reaches the cloud the file's OS_CLOUD names in the file's OS_CLIENT_CONFIG_FILE", async () => {
    const health = await fetch(`${gateway}/api/openstack/health`);
    const body = (await health.json()) as { cloud: string; services: { reachable: boolean }[] };
    expect(health.status).toBe(200);
    expect(body.cloud).toBe('openstack-ferry');
    expect(body.services.length).toBeGreaterThan(0);
    const configured = readFileSync(join(state, 'logs', 'worker.log'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('OpenStack cloud configured'))
      .map((l) => JSON.parse(l) as { service: string; cloud: string });
    expect(configured.map((l) => [l.service, l.cloud]).sort()).toEqual([
      ['compute', 'openstack-ferry'],
      ['image', 'openstack-ferry'],
      ['jobs', 'openstack-ferry'],
      ['rollback', 'openstack-ferry'],
    ]);
  });

  it('stops its services on SIGTERM and leaves the NATS it did not start running', async () => {
    await stopScript(run.start, state);
    expect(ferryProcesses(state)).toEqual([]);
    const nc = await connect({ servers: nats.url });
    await nc.close();
  });
});
