// Sign-in to the console at a real OpenID provider (oidc-provider on loopback), in Chromium: an
// operator migrates; a viewer sees no Migrate button and its mutation is refused; a WebSocket with
// no ticket, or from another site's page, is refused.
import { createServer, type Server } from 'node:http';
import { startPipeline, type Pipeline } from '@ferry/pipeline-testing';
import { freePort } from '@ferry/testing';
import {
  FERRY_AUDIENCE,
  startIdentityProvider,
  type IdentityProvider,
} from '@ferry/service-gateway/src/testing/identity-provider.ts';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { migrateSelected, vmRow } from './e2e/console-page.ts';
import { launchChromium } from './e2e/chromium.ts';
import { signedIn as signedInAt } from './e2e/sign-in.ts';
import { serveConsole, type ConsoleServer } from './e2e/console-server.ts';

describe('signing in to the console at an OpenID provider', () => {
  let idp: IdentityProvider;
  let p: Pipeline;
  let server: ConsoleServer;
  let browser: Browser;
  let viewer: Page;
  let key = '';

  const signedIn = (login: string) => signedInAt(browser, server.url, login);

  beforeAll(async () => {
    idp = await startIdentityProvider();
    p = await startPipeline();
    p.start('discovery');
    p.start('jobs');
    p.writeVm('signin-alpha');
    key = await p.discovered('signin-alpha');
    server = await serveConsole(p, { OIDC_ISSUER: idp.issuer, OIDC_AUDIENCE: FERRY_AUDIENCE });
    browser = await launchChromium();
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await p?.close();
    await idp?.close();
  });

  it('asks to sign in first; an operator signed in at the provider migrates, named on the job', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(server.url);
    await page.getByTestId('sign-in').waitFor();
    expect(await vmRow(page, 'signin-alpha').count()).toBe(0);
    await page.close();

    const operator = await signedIn('olga-operator');
    expect(await operator.getByTestId('signed-in-as').innerText()).toBe('test olga-operator');
    expect(await operator.getByTestId('signed-in-as').getAttribute('data-roles')).toBe('operator');
    // Live updates: its WebSocket opened with the session's ticket.
    await operator
      .getByTestId('live-status')
      .and(operator.locator('[data-status="live"]'))
      .waitFor();
    await operator.getByRole('checkbox', { name: 'Select signin-alpha' }).check();
    const result = await migrateSelected(operator, { strategy: 'qemu-img' });
    const jobId = await result
      .locator('[data-testid="created-jobs"] li')
      .first()
      .getAttribute('data-job-id');
    const [created] = await p.events(jobId as string);
    expect(created?.type).toBe('MigrationCreated');
    expect(created?.metadata.actor).toEqual({
      kind: 'person',
      id: 'olga-operator',
      name: 'test olga-operator',
    });
  });

  it('shows a viewer no Migrate button, and refuses the mutation sent from its page', async () => {
    viewer = await signedIn('vic-viewer');
    await vmRow(viewer, 'signin-alpha').waitFor();
    await viewer.getByTestId('view-only').waitFor();
    expect(await viewer.getByRole('button', { name: 'Migrate selected' }).count()).toBe(0);
    expect(await viewer.getByRole('button', { name: 'Refresh inventory' }).count()).toBe(0);
    const code = await viewer.evaluate(async (vmKey) => {
      const response = await fetch('/api/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: 'mutation ($k: [ID!]!) { migrate(vmKeys: $k) { commandId } }',
          variables: { k: [vmKey] },
        }),
      });
      const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
      return body.errors?.[0]?.extensions?.code;
    }, key);
    expect(code).toBe('FORBIDDEN');
  });

  it("refuses a WebSocket with no ticket, and one from another site's page", async () => {
    const open = (page: Page, url: string) =>
      page.evaluate(
        (u) =>
          new Promise<string>((resolve) => {
            const ws = new WebSocket(u, 'graphql-transport-ws');
            ws.onopen = () => ws.send(JSON.stringify({ type: 'connection_init', payload: {} }));
            ws.onmessage = (m) => resolve(`answered ${String(m.data)}`);
            ws.onclose = (e) => resolve(`closed ${e.code}`);
          }),
        url,
      );
    const gatewayWs = `${server.url.replace(/^http/, 'ws')}api/graphql`;
    // Signed in, but the socket says nobody: its cookie alone does not open it (no ack, an error).
    expect(await open(viewer, gatewayWs)).toMatch(
      /^(closed 44\d\d|answered \{"type":"connection_error")/,
    );
    // A page of another origin, in the same browser: refused at the handshake.
    const port = await freePort();
    const other: Server = createServer((_req, res) => res.end('<!doctype html><p>elsewhere</p>'));
    await new Promise<void>((r) => other.listen(port, '127.0.0.1', r));
    try {
      const page = await viewer.context().newPage();
      await page.goto(`http://127.0.0.1:${port}/`);
      expect(await open(page, gatewayWs)).toBe('closed 1006');
    } finally {
      other.close();
    }
  });
});
