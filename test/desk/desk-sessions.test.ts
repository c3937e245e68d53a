// Sessions that end on the server, not only in the browser: signing out revokes the session, so a copied cookie
// replayed afterwards (with the CSRF token it carried) is refused and starts nothing; a session ends after
// DESK_SESSION_IDLE without use (the home page's background refresh is not use) and after DESK_SESSION_MAX_AGE in
// any case, at the production defaults (1 hour, 10 hours) on the desk's clock, moved by the test; a cookie signed
// with a retired key still counts while that key is in DESK_SESSION_KEYS, and no longer once it is dropped.
import { rmSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { fixturesWith, item, patron } from '../../src/alma-sim/builders';
import { MemorySessionStore } from '../../src/desk/sessions/memory-store';
import { expectNoAxeViolations } from '../support/axe';
import { launchChromium } from '../support/chromium';
import { debianTool } from '../support/debian-package';
import { startHarness, type RelinkHarness } from '../support/relink-harness';
import { DeskClient, startTestDesk, type TestDesk } from './desk-support';
import { replayAfterSignOut } from './replayed-cookie';

const chromiumTool = debianTool('chromium', 'chromium');
const describeWithBrowser = 'skip' in chromiumTool ? describe.skip : describe;

const MINUTE = 60_000;
const OLD_KEY = 'a test session key of at least thirty-two characters';
const NEW_KEY = 'the next session key, also at least thirty-two characters';

describeWithBrowser('desk sessions end', () => {
  let h: RelinkHarness;
  let desk: TestDesk;
  let rotated: TestDesk;
  let newKeyOnly: TestDesk;
  let browser: BrowserContext;
  let userDataDir: string;
  let clock = Date.now();
  const now = () => clock;

  beforeAll(async () => {
    h = await startHarness(fixturesWith({ users: [patron('desk.replay')], items: [item('48800000001')] }));
    // One store behind three desks, as instances of one deployment share its database: only the keys differ.
    const store = new MemorySessionStore();
    desk = await startTestDesk(h, { kind: 'dev' }, { sessionKeys: [OLD_KEY], sessions: { store, now } });
    rotated = await startTestDesk(h, { kind: 'dev' }, { sessionKeys: [NEW_KEY, OLD_KEY], sessions: { store, now } });
    newKeyOnly = await startTestDesk(h, { kind: 'dev' }, { sessionKeys: [NEW_KEY], sessions: { store, now } });
    ({ browser, userDataDir } = await launchChromium(
      'path' in chromiumTool ? chromiumTool.path : '/usr/bin/chromium',
      'relink-desk-sessions-',
      { viewport: { width: 1280, height: 900 } },
    ));
    browser.setDefaultTimeout(30_000);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    for (const d of [desk, rotated, newKeyOnly]) await d?.close();
    await h?.relinks.cancel('relink-desk.replay').catch(() => undefined);
    await h?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  async function signIn(page: Page, name: string): Promise<void> {
    await page.goto(`${desk.url}/sign-in`);
    await page.getByLabel('Your name').fill(name);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${desk.url}/`);
    expect(await page.innerText('header')).toContain(`Signed in as ${name}`);
  }

  /** Opens `path`: true when the page opened signed in, false when the desk sent the browser to sign in. */
  async function opens(page: Page, path: string): Promise<boolean> {
    await page.goto(`${desk.url}${path}`);
    return new URL(page.url()).pathname === path;
  }

  it('refuses a cookie copied before sign-out, with its CSRF token, and starts nothing', async () => {
    const page = await browser.newPage();
    await page.goto(`${desk.url}/sign-in`);
    await expectNoAxeViolations(page, 'sign-in');
    const { status, copied } = await replayAfterSignOut(browser, page, {
      from: desk.url,
      to: desk.url,
      staff: 'replay.staff',
      patron: 'desk.replay',
      barcode: '48800000001',
    });
    expect(status).toBe(401);
    await expect(h.relinks.summary('relink-desk.replay')).rejects.toThrow(/No relink/);
    expect(desk.actions).toEqual([]);
    // Nor does the copied cookie open a page.
    const page2 = await fetch(`${desk.url}/start`, { redirect: 'manual', headers: { cookie: copied } });
    expect([page2.status, page2.headers.get('location')]).toEqual([303, '/sign-in']);
    await page.close();
  });

  it('ends a session an hour without use, the background refresh not counting', async () => {
    const page = await browser.newPage();
    await signIn(page, 'idle.staff');
    clock += 59 * MINUTE;
    expect(await opens(page, '/start')).toBe(true);
    clock += 59 * MINUTE;
    expect(await opens(page, '/')).toBe(true);
    clock += 30 * MINUTE;
    // What the home page's script fetches every 15 seconds while the screen is left alone.
    expect(await page.evaluate(() => fetch('/?fragment=1').then((r) => r.status))).toBe(200);
    clock += 31 * MINUTE;
    expect(await opens(page, '/start')).toBe(false);
    expect(await page.innerText('main')).toMatch(/You were signed out after 1 hour without using the desk/);
    await expectNoAxeViolations(page, 'signed out for idleness');
    await page.close();
  });

  it('ends a session 10 hours after sign-in however much it is used', async () => {
    const page = await browser.newPage();
    await signIn(page, 'long.staff');
    for (let hour = 1; hour <= 10; hour++) {
      clock += 59 * MINUTE;
      expect(await opens(page, '/')).toBe(true);
    }
    clock += 59 * MINUTE; // 10 h 49 min after sign-in
    expect(await opens(page, '/')).toBe(false);
    expect(await page.innerText('main')).toMatch(/You were signed out: a session lasts at most 10 hours/);
    await expectNoAxeViolations(page, 'signed out at the maximum age');
    // Signing in again starts a new session.
    await signIn(page, 'long.staff');
    await page.close();
  });

  it('keeps a session signed with a retired key while the key is listed, and ends it once it is dropped', async () => {
    const staff = new DeskClient(desk.url);
    const _csrf = /name="_csrf" value="([^"]+)"/.exec((await staff.request('/sign-in')).html)![1]!;
    expect((await staff.request('/sign-in', { _csrf, name: 'rotating.staff' })).status).toBe(303);
    const onRotated = new DeskClient(rotated.url);
    onRotated.copyCookies(staff);
    const home = await onRotated.request('/');
    expect([home.status, home.html.includes('Signed in as <strong>rotating.staff</strong>')]).toEqual([200, true]);
    const onNewOnly = new DeskClient(newKeyOnly.url);
    onNewOnly.copyCookies(staff);
    const refused = await onNewOnly.request('/');
    expect([refused.status, refused.location]).toEqual([303, '/sign-in']);
  });
});
