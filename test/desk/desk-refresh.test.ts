// The home page's refresh script (static/desk.js) in chromium, on a fake clock: the live region is left alone while
// the list has not changed (a screen reader is not told the same list every 15 seconds), and when the session has
// ended the browser goes to the sign-in page instead of showing it inside the list.
import { rmSync } from 'node:fs';
import { type BrowserContext } from 'playwright-core';
import { fixturesWith } from '../../src/alma-sim/builders';
import { expectNoAxeViolations } from '../support/axe';
import { launchChromium } from '../support/chromium';
import { debianTool } from '../support/debian-package';
import { startHarness, type RelinkHarness } from '../support/relink-harness';
import { startTestDesk, type TestDesk } from './desk-support';

const chromiumTool = debianTool('chromium', 'chromium');
const describeWithBrowser = 'skip' in chromiumTool ? describe.skip : describe;

describeWithBrowser("the home page's refresh", () => {
  let h: RelinkHarness;
  let desk: TestDesk;
  let browser: BrowserContext;
  let userDataDir: string;
  beforeAll(async () => {
    // Its own namespace: the home page lists every running relink, and other test files' change meanwhile.
    h = await startHarness(fixturesWith({}), { namespace: 'relink-refresh-test' });
    desk = await startTestDesk(h, { kind: 'dev' });
    ({ browser, userDataDir } = await launchChromium(
      'path' in chromiumTool ? chromiumTool.path : '/usr/bin/chromium',
      'relink-desk-refresh-',
      { viewport: { width: 1280, height: 900 }, javaScriptEnabled: true },
    ));
    browser.setDefaultTimeout(30_000);
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await desk?.close();
    await h?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  it('replaces the list only when it changed, and goes to the sign-in page when the session ended', async () => {
    const page = await browser.newPage();
    await page.clock.install();
    await page.goto(`${desk.url}/sign-in`);
    await expectNoAxeViolations(page, 'development sign-in');
    await page.getByLabel('Your name').fill('refresh.staff');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${desk.url}/`);
    // Counted in the page (a string: this file is compiled without the DOM's types).
    await page.evaluate(`
      window.changes = 0;
      new MutationObserver((m) => (window.changes += m.length)).observe(document.getElementById('waiting-list'), {
        childList: true,
        subtree: true,
        characterData: true,
      });
    `);
    for (let round = 0; round < 2; round++) {
      const fetched = page.waitForResponse((r) => r.url().endsWith('/?fragment=1'));
      await page.clock.runFor(15_500);
      await (await fetched).finished();
      await page.waitForTimeout(200);
    }
    expect(await page.evaluate('window.changes')).toBe(0);
    await expectNoAxeViolations(page, 'home, after two refreshes');

    // The session ends (the cookie is gone): the next round takes the browser to the sign-in page.
    await browser.clearCookies();
    await page.clock.runFor(15_500);
    await page.waitForURL(`${desk.url}/sign-in`);
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Sign in');
    await expectNoAxeViolations(page, 'sign-in, after the session ended');
  });
});
