// The admin page in Chromium, on a NATS with Ferry's authorization (the gateway as its own
// identity) and people signed in at a real OpenID provider: an admin sees a dead letter, replays
// it and sees it gone; an operator is not offered the page.
import { jetstreamManager } from '@nats-io/jetstream';
import { COMMAND_SUBJECTS, STREAMS } from '@ferry/contracts';
import { deadLetterCommand } from '@ferry/messaging/testing';
import { startPipeline, type Pipeline } from '@ferry/pipeline-testing';
import {
  FERRY_AUDIENCE,
  startIdentityProvider,
  type IdentityProvider,
} from '@ferry/service-gateway/src/testing/identity-provider.ts';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { launchChromium } from './e2e/chromium.ts';
import { serveConsole, type ConsoleServer } from './e2e/console-server.ts';
import { signedIn } from './e2e/sign-in.ts';

const REASON = 'failed 5 times; last: nova: quota exceeded';

describe('the admin page: dead letters replayed, quarantined events listed', () => {
  let idp: IdentityProvider;
  let p: Pipeline;
  let server: ConsoleServer;
  let browser: Browser;
  let seq = 0;

  beforeAll(async () => {
    idp = await startIdentityProvider();
    // No worker runs: the replayed command stays in FERRY_CMD to be read back.
    p = await startPipeline({}, { secure: true });
    seq = await deadLetterCommand(
      p.nc,
      {
        type: 'ConvertDisks',
        data: { jobId: 'job-admin' },
        metadata: { commandId: 'convert-job-admin' },
      },
      REASON,
    );
    server = await serveConsole(p, { OIDC_ISSUER: idp.issuer, OIDC_AUDIENCE: FERRY_AUDIENCE });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await p?.close();
    await idp?.close();
  });

  it('an admin sees the dead letter, replays it, and sees it gone', async () => {
    const page = await signedIn(browser, server.url, 'ada-admin');
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Admin' })
      .click();
    const row = page.locator(`tr[data-testid="dead-letter-row"][data-seq="${seq}"]`);
    await row.waitFor();
    expect(await row.locator('td').allInnerTexts()).toEqual([
      '',
      expect.stringMatching(/\d/),
      'ConvertDisks',
      'job-admin',
      '1',
      REASON,
    ]);
    expect(await row.getByRole('link', { name: 'job-admin' }).getAttribute('href')).toBe(
      '#/jobs/job-admin',
    );
    expect(await page.getByTestId('dead-letter-count').innerText()).toBe('1');
    expect(await page.getByTestId('quarantine-count').innerText()).toBe('0');

    await page.getByRole('checkbox', { name: `Select dead letter ${seq}` }).check();
    await page.getByRole('button', { name: 'Replay selected' }).click();
    const outcome = page.locator(`[data-testid="replay-outcome"][data-seq="${seq}"]`);
    await outcome.waitFor();
    expect(await outcome.getAttribute('data-replayed')).toBe('true');
    expect(await outcome.innerText()).toBe(
      `${seq}: sent again on ${COMMAND_SUBJECTS.ConvertDisks}`,
    );
    // Re-read after the replay: gone from the list and from the stream, sent again.
    await row.waitFor({ state: 'detached' });
    expect(await page.getByTestId('dead-letter-count').innerText()).toBe('0');
    const jsm = await jetstreamManager(p.nc);
    expect((await jsm.streams.info(STREAMS.deadLetters)).state.messages).toBe(0);
    const again = await jsm.streams.getMessage(STREAMS.commands, {
      last_by_subj: COMMAND_SUBJECTS.ConvertDisks,
    });
    expect(again?.json()).toMatchObject({ type: 'ConvertDisks', data: { jobId: 'job-admin' } });
  });

  it('an operator is offered no Admin page', async () => {
    const page = await signedIn(browser, server.url, 'olga-operator');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Jobs' }).waitFor();
    expect(await nav.getByRole('link', { name: 'Admin' }).count()).toBe(0);
  });
});
