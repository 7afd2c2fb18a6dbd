import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';

/** Where a run's screenshots go: a folder of the repository's `.reports/`, emptied for this run. */
export function screenshotFolder(name: string): string {
  const dir = resolve(import.meta.dirname, '..', '..', '..', '..', '.reports', 'screenshots', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Numbered full-page screenshots, one per step: `01-inventory.png`, `02-selected.png`, ... */
export function stepShots(page: Page, dir: string): (step: string) => Promise<string> {
  let n = 0;
  return async (step) => {
    n += 1;
    const path = join(dir, `${String(n).padStart(2, '0')}-${step}.png`);
    await page.screenshot({ path, fullPage: true });
    return path;
  };
}
