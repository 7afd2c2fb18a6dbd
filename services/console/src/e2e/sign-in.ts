// Signing in to the console at the test OpenID provider's own login form, as a person would.
import type { Browser, Page } from 'playwright-core';

/** A new browser session at `url`, signed in at the provider as `login` (any password). */
export async function signedIn(browser: Browser, url: string, login: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  page.setDefaultTimeout(30_000);
  await page.goto(url);
  await page.getByTestId('sign-in').click();
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password will do here');
  await page.locator('button[type="submit"]').click();
  // The provider asks once whether Ferry may know who this is.
  await page.getByRole('button', { name: 'Continue' }).click();
  await page
    .getByTestId('signed-in-as')
    .waitFor()
    .catch(async (error: unknown) => {
      throw new Error(
        `not signed in: at ${page.url()}: ${(await page.locator('body').innerText()).slice(0, 500)}`,
        { cause: error },
      );
    });
  return page;
}
