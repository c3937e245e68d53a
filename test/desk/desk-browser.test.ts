// The desk in a real browser (Debian's chromium by playwright-core), signed in through the proxy header: staff
// start a relink from the form, find it in "Waiting for you" with the relink's own Lost instructions, click Lost in
// Alma (the simulator's staff route) and press "I clicked Lost"; the same for a request review, proceed and abort;
// and a batch file with one bad line is refused with its line number. Every HTML page the browser received is
// searched for the patrons' emails and phones. With RECORD_SCREENSHOTS=1 the pages are saved to docs/desk/.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BrowserContext, type Page } from 'playwright-core';
import { fixturesWith, holdRequest, item, patron } from '../../src/alma-sim/builders';
import { expectNoAxeViolations } from '../support/axe';
import { launchChromium } from '../support/chromium';
import { debianTool } from '../support/debian-package';
import { ownAddresses, startHarness, waitForProgress, type RelinkHarness } from '../support/relink-harness';
import { loopbackProxy, PROXY_USER, startTestDesk, type TestDesk } from './desk-support';
import { SHOTS } from './desk-shots';

const chromiumTool = debianTool('chromium', 'chromium');
const describeWithBrowser = 'skip' in chromiumTool ? describe.skip : describe;
if ('skip' in chromiumTool) console.warn(`Desk browser test skipped: ${chromiumTool.skip}`);

const PATRONS = ['desk.lost', 'desk.proceed', 'desk.abort', 'desk.batch', 'queue.other'];

describeWithBrowser('the relink desk in a browser', () => {
  let h: RelinkHarness;
  let desk: TestDesk;
  let browser: BrowserContext;
  let userDataDir: string;
  const pages: Array<{ url: string; html: string }> = [];

  beforeAll(async () => {
    h = await startHarness(
      fixturesWith({
        users: PATRONS.map((id) => patron(id)),
        items: ['48200000001', '48200000002', '48200000003', '48200000004', '48200000005'].map((b) => item(b)),
        requests: [
          holdRequest('8482000000002', 'queue.other', '48200000002'),
          holdRequest('8482000000003', 'queue.other', '48200000003'),
        ],
      }),
    );
    desk = await startTestDesk(h, loopbackProxy);
    ({ browser, userDataDir } = await launchChromium(
      'path' in chromiumTool ? chromiumTool.path : '/usr/bin/chromium',
      'relink-desk-chromium-',
      {
        // A circulation desk's screen; the sign-in proxy in front of the desk adds the header.
        viewport: { width: 1280, height: 900 },
        extraHTTPHeaders: { 'X-Remote-User': PROXY_USER },
        javaScriptEnabled: true,
      },
    ));
    browser.setDefaultTimeout(30_000);
    browser.on('response', (res) => {
      if ((res.headers()['content-type'] ?? '').includes('text/html')) {
        void res.text().then(
          (html) => pages.push({ url: res.url(), html }),
          () => undefined,
        );
      }
    });
    mkdirSync(SHOTS, { recursive: true });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await desk?.close();
    await h?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  /** Each page state the test reaches: a screenshot, and axe-core's check (WCAG 2.1 A and AA). */
  const shot = async (page: Page, name: string) => {
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
    await expectNoAxeViolations(page, name);
  };

  /** Reloads the relink's page until it shows `text` (the relink moves on in the background). */
  async function untilShown(page: Page, workflowId: string, text: RegExp, timeoutMs = 45_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await page.goto(`${desk.url}/relinks/${workflowId}`);
      if (text.test(await page.innerText('main'))) return;
      if (Date.now() > deadline) throw new Error(`${workflowId} never showed ${text}: ${await page.innerText('main')}`);
      await page.waitForTimeout(500);
    }
  }

  async function startFromForm(page: Page, patronId: string, barcodes: string[]): Promise<void> {
    await page.goto(`${desk.url}/start`);
    await page.getByLabel('Patron').fill(patronId);
    await page.getByLabel('Item barcodes').fill(barcodes.join('\n'));
    await page.getByRole('button', { name: 'Start relink' }).click();
    await page.waitForURL(`**/relinks/relink-${patronId}`);
  }

  function cardOf(page: Page, workflowId: string) {
    return page.locator('article.card', { has: page.getByRole('link', { name: workflowId, exact: true }) });
  }

  it('starts a relink from the form, shows the Lost instructions, and completes on "I clicked Lost"', async () => {
    const page = await browser.newPage();
    // The field rules are the CLI's, shown next to the field.
    await page.goto(`${desk.url}/start`);
    await shot(page, 'start');
    await page.getByLabel('Patron').fill('desk lost');
    await page.getByLabel('Item barcodes').fill('48200000001\n48200000001');
    await page.getByRole('button', { name: 'Start relink' }).click();
    await expect(page.locator('#patron-error').innerText()).resolves.toMatch(/has characters Alma ids do not use/);
    await expect(page.locator('#barcodes-error').innerText()).resolves.toMatch(/barcode 48200000001 is given twice/);
    await shot(page, 'start-errors');

    await startFromForm(page, 'desk.lost', ['48200000001']);
    const workflowId = 'relink-desk.lost';
    const progress = await waitForProgress(h, workflowId, (p) => p.awaiting === 'lost-declaration', 60_000);

    await page.goto(`${desk.url}/`);
    const card = cardOf(page, workflowId);
    // The relink's instructions in the desk's words: the button to press, never a command to run.
    const cardText = await card.innerText();
    expect(cardText).toMatch(/Manage Patron Services.*choose "Lost", then press "I clicked Lost"\./);
    expect(cardText).not.toMatch(/relink confirm-lost|run:/);
    expect(progress.awaitingInstructions).toMatch(/press "I clicked Lost" on the desk, or run: relink confirm-lost/);
    await shot(page, 'waiting');

    // Staff click Lost in Alma, then tell the desk.
    await h.sim.declareLost(progress.items[0]!.loanId!);
    await card.getByRole('button', { name: 'I clicked Lost' }).click();
    await page.waitForURL(`${desk.url}/`);
    await expect(page.getByRole('status').first().innerText()).resolves.toMatch(/clicked Lost/);
    await untilShown(page, workflowId, /Status\s+completed/);
    const main = await page.innerText('main');
    expect(main).toContain(`Staff reported the Lost click (${PROXY_USER})`);
    expect(main).toMatch(/restored and verified/);
    // The audit's Alma ids as staff find them in Alma, not the relink's keys.
    expect(main).toContain(`loan ${progress.items[0]!.loanId}`);
    expect(main).not.toMatch(/loanId/);
    await shot(page, 'relink');
    expect(desk.actions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ staff: PROXY_USER, action: 'start', workflowId }),
        expect.objectContaining({ staff: PROXY_USER, action: 'confirm-lost', workflowId }),
      ]),
    );
  });

  it('answers a request review: proceed once the queue is clear in Alma, and abort', async () => {
    const page = await browser.newPage();
    await startFromForm(page, 'desk.proceed', ['48200000002']);
    await startFromForm(page, 'desk.abort', ['48200000003']);
    for (const id of ['relink-desk.proceed', 'relink-desk.abort'])
      await waitForProgress(h, id, (p) => p.awaiting === 'request-review', 60_000);

    await page.goto(`${desk.url}/`);
    const proceed = cardOf(page, 'relink-desk.proceed');
    await expect(proceed.innerText()).resolves.toMatch(/Fulfillment > Manage Requests/);
    await shot(page, 'waiting-review');

    // Abort: the relink ends with nothing written.
    await cardOf(page, 'relink-desk.abort').getByRole('button', { name: 'Abort' }).click();
    await untilShown(page, 'relink-desk.abort', /Status\s+aborted/);
    expect(await page.innerText('main')).toContain(`Staff decided to abort (${PROXY_USER})`);

    // Proceed once the other patron's request is cancelled in Alma; then Lost as before.
    await h.alma.cancelRequest('queue.other', '8482000000002', {
      reason: 'CancelledAtPatronRequest',
      notifyUser: false,
    });
    await page.goto(`${desk.url}/`);
    await cardOf(page, 'relink-desk.proceed').getByRole('button', { name: 'Proceed' }).click();
    const waiting = await waitForProgress(h, 'relink-desk.proceed', (p) => p.awaiting === 'lost-declaration', 60_000);
    await h.sim.declareLost(waiting.items[0]!.loanId!);
    await page.goto(`${desk.url}/relinks/relink-desk.proceed`);
    await page.getByRole('button', { name: 'I clicked Lost' }).click();
    await untilShown(page, 'relink-desk.proceed', /Status\s+completed/);
    expect(await page.innerText('main')).toContain(`Staff decided to proceed (${PROXY_USER})`);
  });

  it('refuses a batch file with a bad line, by its line number; runs a good one and gives its report', async () => {
    const page = await browser.newPage();
    const dir = mkdtempSync(path.join(tmpdir(), 'desk-batch-'));
    const bad = path.join(dir, 'items.csv');
    writeFileSync(bad, 'patron_id,barcode\ndesk.batch,48200000004\ndesk batch,48200000005\n');
    await page.goto(`${desk.url}/batch`);
    await page.getByLabel('CSV file').setInputFiles(bad);
    await page.getByRole('button', { name: 'Check the file' }).click();
    const refused = await page.getByRole('alert').innerText();
    expect(refused).toMatch(/items\.csv has 1 problem; nothing was started/);
    expect(refused).toMatch(/3\s+the patron id "desk batch" has characters/);
    await shot(page, 'batch-refused');
    await expect(h.relinks.summary('relink-desk.batch')).rejects.toThrow(/No relink/);

    writeFileSync(bad, 'patron_id,barcode\ndesk.batch,48200000004\ndesk.batch,48200000005\n');
    await page.getByLabel('CSV file').setInputFiles(bad);
    await page.getByRole('button', { name: 'Check the file' }).click();
    await expect(page.locator('main').innerText()).resolves.toMatch(/every line is right. 2 items for 1 patron/);
    await shot(page, 'batch-check');
    await page.getByRole('button', { name: 'Start 1 relink' }).click();
    await page.getByRole('link', { name: 'Download the report (CSV)' }).waitFor({ timeout: 30_000 });
    await shot(page, 'batch-report');
    // The report as the link serves it, with the page's own session.
    const link = page.getByRole('link', { name: 'Download the report (CSV)' });
    const res = await page.request.get(new URL((await link.getAttribute('href'))!, page.url()).href);
    expect(res.headers()['content-disposition']).toMatch(/^attachment; filename="?items-report\.csv/);
    const report = await res.text();
    expect(report.trim().split(/\r?\n/)).toEqual([
      'patron_id,barcode,workflow_id,result,message',
      'desk.batch,48200000004,relink-desk.batch,started,relink started',
      'desk.batch,48200000005,relink-desk.batch,started,relink started',
    ]);
    await h.relinks.cancel('relink-desk.batch');
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows no patron email or phone on any page it served', async () => {
    // Their addresses as the fixtures gave them (the state now may hold a swap in flight, or none): one email each.
    const own = PATRONS.flatMap((id) => ownAddresses(patron(id)));
    expect(own).toHaveLength(PATRONS.length);
    expect(pages.length).toBeGreaterThan(10);
    for (const { url, html } of pages) {
      for (const address of own) {
        if (html.includes(address)) throw new Error(`${url} shows a patron's ${address}`);
      }
    }
  });
});
