// The replayed-cookie check both session stores face (memory: desk-sessions; PostgreSQL: desk-sessions-pg): staff
// sign in on one desk in chromium and open the start form; the cookie and CSRF token are copied; they sign out; then
// a start is posted with the copy, at the same desk or another instance of the deployment. The caller checks it.
import type { BrowserContext, Page } from 'playwright-core';
import { expectNoAxeViolations } from '../support/axe';

export async function replayAfterSignOut(
  browser: BrowserContext,
  page: Page,
  o: {
    /** The desk signed in at. */
    from: string;
    /** The desk the copy is replayed at. */
    to: string;
    staff: string;
    patron: string;
    barcode: string;
    /** Added to the axe-core state names: where the session is kept. */
    where?: string;
  },
): Promise<{ status: number; copied: string }> {
  await page.goto(`${o.from}/sign-in`);
  await page.getByLabel('Your name').fill(o.staff);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${o.from}/`);
  await page.goto(`${o.from}/start`);
  await expectNoAxeViolations(page, `start form, signed in${o.where ?? ''}`);
  const token = await page.locator('input[name="_csrf"]').first().inputValue();
  const copied = (await browser.cookies(o.from)).map((c) => `${c.name}=${c.value}`).join('; ');
  expect(copied).toMatch(/relink-desk=.*relink-desk\.sig=/);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(`${o.from}/sign-in`);
  await expectNoAxeViolations(page, `signed out${o.where ?? ''}`);

  const replay = await fetch(`${o.to}/start`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: copied, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
    body: new URLSearchParams({ _csrf: token, patron: o.patron, barcodes: o.barcode }),
  });
  return { status: replay.status, copied };
}
