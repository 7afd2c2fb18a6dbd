// What the demo does on the console, in an operator's terms, through roles and test ids.
import type { Locator, Page } from 'playwright-core';

import { MIGRATION_STATES } from '../api/types.ts';

/** The states a job that goes through passes, in order. */
export const STATE_ORDER: readonly string[] = MIGRATION_STATES.slice(
  0,
  MIGRATION_STATES.indexOf('VERIFIED') + 1,
);

export const vmRow = (page: Page, name: string): Locator =>
  page.locator(`tr[data-testid="vm-row"][data-vm-name="${name}"]`);

export const jobRow = (page: Page, jobId: string): Locator =>
  page.locator(`tr[data-testid="job-row"][data-job-id="${jobId}"]`);

/**
 * Opens the migrate form for the selection, fills it in and starts; resolves with the result, which
 * shows once the gateway answered (the dialog closes only then, the previous result is cleared).
 */
export async function migrateSelected(
  page: Page,
  options: {
    strategy?: string;
    bootMode?: string;
    flavor?: string;
    /** More fields of the form, by label. */
    fields?: Readonly<Record<string, string>>;
    beforeStart?: () => Promise<unknown>;
  } = {},
): Promise<Locator> {
  await page.getByRole('button', { name: 'Migrate selected' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  if (options.strategy)
    await dialog.getByLabel('Conversion strategy').selectOption(options.strategy);
  if (options.bootMode) await dialog.getByLabel('Boot mode').selectOption(options.bootMode);
  if (options.flavor) await dialog.getByLabel('Flavor').fill(options.flavor);
  for (const [label, value] of Object.entries(options.fields ?? {}))
    await dialog.getByLabel(label, { exact: true }).fill(value);
  await options.beforeStart?.();
  await dialog.getByRole('button', { name: 'Start migration' }).click();
  await dialog.waitFor({ state: 'detached' });
  const result = page.getByTestId('migrate-result');
  await result.waitFor();
  return result;
}

/**
 * Follows an element's `data-state` as the page updates it live (no reload) until it reads `until`;
 * every state seen, in order.
 */
export async function watchState(
  target: Locator,
  until: string,
  timeoutMs: number,
): Promise<string[]> {
  const seen: string[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await target.getAttribute('data-state', { timeout: 5_000 });
    if (state && seen.at(-1) !== state) seen.push(state);
    if (state === until) return seen;
    if (Date.now() > deadline)
      throw new Error(`still ${state} after ${timeoutMs} ms (seen: ${seen.join(' → ')})`);
    await new Promise((done) => setTimeout(done, 150));
  }
}
