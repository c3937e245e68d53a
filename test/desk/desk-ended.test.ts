// Relinks that ended badly do not vanish: one that failed, or ended needing attention, in the last days is listed on
// the home page with what to check, until a staff member marks it seen (a form with the CSRF token, in the staff
// log); and a start that fails within seconds says so on the page it lands on instead of "Started…". In chromium,
// with axe-core on each page state.
import type { BrowserContext, Page } from 'playwright-core';
import { fixturesWith, item, patron } from '../../src/alma-sim/builders';
import { relinkInput } from '../../src/dev/relink-input';
import { expectNoAxeViolations } from '../support/axe';
import { debianTool } from '../support/debian-package';
import type { RelinkHarness } from '../support/relink-harness';
import { DeskClient, PROXY_USER, type TestDesk } from './desk-support';
import { startDeskInChromium, type DeskInChromium } from './desk-in-chromium';
import { deskShot } from './desk-shots';

const chromiumTool = debianTool('chromium', 'chromium');
const describeWithBrowser = 'skip' in chromiumTool ? describe.skip : describe;
if ('skip' in chromiumTool) console.warn(`Desk ended-relinks test skipped: ${chromiumTool.skip}`);

describeWithBrowser('relinks that ended failed or needing attention', () => {
  let h: RelinkHarness;
  let desk: TestDesk;
  let browser: BrowserContext;
  let setUp: DeskInChromium | undefined;

  beforeAll(async () => {
    setUp = await startDeskInChromium(
      fixturesWith({
        users: ['ended.fail', 'ended.late'].map((id) => patron(id)),
        items: [item('48800000002')],
      }),
      {
        chromiumPath: 'path' in chromiumTool ? chromiumTool.path : '/usr/bin/chromium',
        profilePrefix: 'relink-desk-ended-',
        defaultTimeoutMs: 30_000,
      },
    );
    ({ h, desk, browser } = setUp);
  }, 240_000);

  afterAll(async () => setUp?.close());

  const cardOf = (page: Page, workflowId: string) =>
    page.locator('article.card', { has: page.getByRole('link', { name: workflowId, exact: true }) });

  it('says on the page a start lands on that the relink failed within seconds, and lists it until marked seen', async () => {
    const page = await browser.newPage();
    await page.goto(`${desk.url}/start`);
    await page.getByLabel('Patron').fill('ended.fail');
    // An item Alma does not have: the preflight refuses it a second after the start.
    await page.getByLabel('Item barcodes').fill('48800000001');
    await page.getByRole('button', { name: 'Start relink' }).click();
    await page.waitForURL('**/relinks/relink-ended.fail');
    const flash = await page.locator('.flash').innerText();
    expect(flash).not.toMatch(/Started/);
    expect(flash).toMatch(/^The relink of patron ended\.fail failed within seconds of its start: .*48800000001/);
    await expectNoAxeViolations(page, 'a start that failed at once');

    // On the home page, marked Failed, with what to check (the failure, in staff words), and a Seen button.
    await page.goto(`${desk.url}/`);
    const card = cardOf(page, 'relink-ended.fail');
    const text = await card.innerText();
    expect(text).toMatch(/^Failed/);
    // How it ended, in a sentence rather than a code ("ended: failed").
    expect(text).toMatch(/How it ended\s+It failed: see what to check/);
    expect(text).toMatch(/What to check: .*48800000001/);
    expect(text).not.toMatch(/[A-Z][a-z]+[A-Z]\w+|Activity|ApplicationFailure/); // no failure type or SDK words
    await deskShot(page, 'ended-failed');
    await expectNoAxeViolations(page, 'home page with a failed relink');

    // The Seen form needs the session's CSRF token.
    const client = new DeskClient(desk.url, { 'X-Remote-User': PROXY_USER });
    const runId = await card.locator('input[name="runId"]').getAttribute('value');
    const forged = await client.request('/seen', { workflowId: 'relink-ended.fail', runId: runId! });
    expect(forged.status).toBe(403);
    await page.reload();
    expect(await cardOf(page, 'relink-ended.fail').count()).toBe(1);

    await card.getByRole('button', { name: 'Seen: take it off this list' }).click();
    await page.waitForURL(`${desk.url}/`);
    expect(await page.locator('.flash').innerText()).toMatch(/Marked relink relink-ended\.fail as seen/);
    expect(await cardOf(page, 'relink-ended.fail').count()).toBe(0);
    await expectNoAxeViolations(page, 'home page after Seen');
    expect(desk.actions).toContainEqual(
      expect.objectContaining({ staff: PROXY_USER, action: 'mark-seen', workflowId: 'relink-ended.fail', runId }),
    );
  });

  it('lists a relink that ended needing attention with its reason, until marked seen', async () => {
    const started = await h.relinks.start(
      relinkInput('ended.late', ['48800000002'], { lostDeadline: '2 seconds', holdingAddressLimit: '5 seconds' }),
    );
    await h.temporal.client.workflow.getHandle(started.workflowId).result();
    const page = await browser.newPage();
    await page.goto(`${desk.url}/`);
    const card = cardOf(page, started.workflowId);
    const text = await card.innerText();
    expect(text).toMatch(/^Needs attention/);
    expect(text).toMatch(/How it ended\s+It ended needing attention: see what to check/);
    expect(text).toMatch(/What to check: \S/);
    await expectNoAxeViolations(page, 'home page with a relink needing attention');
    await card.getByRole('button', { name: 'Seen: take it off this list' }).click();
    await page.waitForURL(`${desk.url}/`);
    expect(await cardOf(page, started.workflowId).count()).toBe(0);
  });
});
