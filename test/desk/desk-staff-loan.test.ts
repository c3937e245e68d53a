// The desk's card for a relink whose API loan Alma refused (awaiting staff-loan, issue 26): what to do in Alma, the
// "I loaned it at the desk in Alma" button that moves it on to the Lost click, and "Give up on this item", which asks
// on a confirmation page first. The science library lends only at its desks (loan_policy api_restricted). In
// chromium, with axe-core on each page state.
import type { BrowserContext, Page } from 'playwright-core';
import { fixturesWith, item, patron, withLoanPolicy } from '../../src/alma-sim/builders';
import { relinkInput } from '../../src/dev/relink-input';
import { expectNoAxeViolations } from '../support/axe';
import { debianTool } from '../support/debian-package';
import { waitForProgress, type RelinkHarness } from '../support/relink-harness';
import { PROXY_USER, type TestDesk } from './desk-support';
import { startDeskInChromium, type DeskInChromium } from './desk-in-chromium';
import { deskShot } from './desk-shots';

const chromiumTool = debianTool('chromium', 'chromium');
const describeWithBrowser = 'skip' in chromiumTool ? describe.skip : describe;
if ('skip' in chromiumTool) console.warn(`Desk staff-loan test skipped: ${chromiumTool.skip}`);

describeWithBrowser('the staff-loan card', () => {
  let h: RelinkHarness;
  let desk: TestDesk;
  let browser: BrowserContext;
  let setUp: DeskInChromium | undefined;

  beforeAll(async () => {
    const fixtures = fixturesWith({
      users: ['sl.loaned', 'sl.giveup'].map((id) => patron(id)),
      items: [item('49100000001', { library: 'SCI' }), item('49100000002', { library: 'SCI' })],
    });
    const restricted = withLoanPolicy(fixtures, 'SCI', { api_restricted: true });
    setUp = await startDeskInChromium(restricted, {
      chromiumPath: 'path' in chromiumTool ? chromiumTool.path : '/usr/bin/chromium',
      profilePrefix: 'relink-desk-staff-loan-',
      defaultTimeoutMs: 30_000,
    });
    ({ h, desk, browser } = setUp);
    for (const [id, barcode] of [
      ['sl.loaned', '49100000001'],
      ['sl.giveup', '49100000002'],
    ]) {
      const started = await h.relinks.start(relinkInput(id!, [barcode!]));
      await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'staff-loan', 60_000);
    }
  }, 240_000);

  afterAll(async () => setUp?.close());

  const cardOf = (page: Page, workflowId: string) =>
    page.locator('article.card', { has: page.getByRole('link', { name: workflowId, exact: true }) });

  it('shows the card with what to do, and "I loaned it at the desk in Alma" moves the relink on to the Lost click', async () => {
    const page = await browser.newPage();
    await page.goto(`${desk.url}/`);
    const card = cardOf(page, 'relink-sl.loaned');
    const text = await card.innerText();
    expect(text).toMatch(/waiting for your loan of the item at the desk in Alma/);
    expect(text).toMatch(/What to do: \S/);
    expect(text).not.toMatch(/staff-loan|awaiting/);
    await deskShot(page, 'staff-loan');
    await expectNoAxeViolations(page, 'home page with staff-loan cards');

    h.sim.loanAtDesk('sl.loaned', '49100000001');
    await card.getByRole('button', { name: 'I loaned it at the desk in Alma' }).click();
    await page.waitForURL(`${desk.url}/`);
    expect(await page.locator('.flash').innerText()).toMatch(/looks for the loan in Alma now/);
    await expectNoAxeViolations(page, 'home page after "I loaned it"');
    await waitForProgress(h, 'relink-sl.loaned', (p) => p.awaiting === 'lost-declaration', 60_000);
    expect(desk.actions).toContainEqual(
      expect.objectContaining({ staff: PROXY_USER, action: 'loaned-at-desk', workflowId: 'relink-sl.loaned' }),
    );
  });

  it('asks on a confirmation page before "Give up on this item", and gives up only on its POST', async () => {
    const page = await browser.newPage();
    await page.goto(`${desk.url}/`);
    await cardOf(page, 'relink-sl.giveup').getByRole('button', { name: 'Give up on this item…' }).click();
    await page.waitForURL(/\/relinks\/relink-sl\.giveup\/give-up-loan/);
    expect(await page.locator('h1').innerText()).toBe('Give up on this item?');
    expect(await page.innerText('main')).toMatch(/do not loan it to the patron at the desk afterwards/);
    await deskShot(page, 'staff-loan-give-up');
    await expectNoAxeViolations(page, 'give-up confirmation page');
    // Looking asked nothing of the relink.
    expect((await h.relinks.progress('relink-sl.giveup')).awaiting).toBe('staff-loan');

    await page.getByRole('button', { name: 'Yes, give up on this item' }).click();
    await page.waitForURL(`${desk.url}/`);
    await expectNoAxeViolations(page, 'home page after giving up');
    await h.temporal.client.workflow
      .getHandle('relink-sl.giveup')
      .result()
      .catch(() => undefined);
    expect(desk.actions).toContainEqual(
      expect.objectContaining({ staff: PROXY_USER, action: 'give-up-loan', workflowId: 'relink-sl.giveup' }),
    );
  });
});
