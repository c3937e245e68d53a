// A batch within the desk's limits, in a real browser (Debian's chromium by playwright-core): the check shows the plan
// against today's Alma quota and keeps the checked batch on the server, so the start form carries only its id (a
// replayed start, another staff member's, or CSV text posted straight start nothing); a file over DESK_BATCH_MAX
// and a batch that would cross the quota floor are refused (relink batch has the same size rule); and each relink a
// batch starts takes one of the staff member's starts a minute, so a batch waits at the limit and a single start
// meanwhile is refused. axe-core checks every page state.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { fixturesWith, item, patron } from '../../src/alma-sim/builders';
import { parseBatchFile as cliParseBatchFile } from '../../src/cli/batch-file';
import { expectNoAxeViolations } from '../support/axe';
import { launchChromium } from '../support/chromium';
import { debianTool } from '../support/debian-package';
import { startHarness, type RelinkHarness } from '../support/relink-harness';
import { loopbackProxy, startTestDesk, type TestDesk } from './desk-support';

const chromiumTool = debianTool('chromium', 'chromium');
const describeWithBrowser = 'skip' in chromiumTool ? describe.skip : describe;
if ('skip' in chromiumTool) console.warn(`Desk batch test skipped: ${chromiumTool.skip}`);

const PATRONS = ['dbatch.a', 'dbatch.p1', 'dbatch.p2', 'dbatch.p3', 'dbatch.q1', 'dbatch.q2', 'dbatch.q3'];
const BARCODES = Array.from({ length: 8 }, (_, i) => `4860000000${i + 1}`);
const csv = (lines: Array<[string, string]>) => ['patron_id,barcode', ...lines.map((l) => l.join(','))].join('\n');

describeWithBrowser('a batch at the desk, within its limits', () => {
  let h: RelinkHarness;
  let desk: TestDesk;
  let browser: BrowserContext;
  let userDataDir: string;
  let dir: string;

  beforeAll(async () => {
    h = await startHarness(
      fixturesWith({ users: PATRONS.map((id) => patron(id)), items: BARCODES.map((b) => item(b)) }),
    );
    // Two starts a minute and at most 4 items a batch, so the limits show with small files.
    desk = await startTestDesk(h, loopbackProxy, { startsPerMinute: 2, batchMax: 4 });
    ({ browser, userDataDir } = await launchChromium(
      'path' in chromiumTool ? chromiumTool.path : '/usr/bin/chromium',
      'relink-desk-batch-',
      { viewport: { width: 1280, height: 900 }, javaScriptEnabled: true },
    ));
    browser.setDefaultTimeout(30_000);
    dir = mkdtempSync(path.join(tmpdir(), 'desk-batch-limits-'));
  }, 240_000);

  afterAll(async () => {
    for (const id of PATRONS) await h?.relinks.cancel(`relink-${id}`).catch(() => undefined);
    await browser?.close();
    await desk?.close();
    await h?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A page of the staff member `staff` (the sign-in proxy's header). */
  async function pageOf(staff: string): Promise<Page> {
    const page = await browser.newPage();
    await page.setExtraHTTPHeaders({ 'X-Remote-User': staff });
    return page;
  }

  async function check(page: Page, name: string, content: string): Promise<void> {
    const file = path.join(dir, name);
    writeFileSync(file, content);
    await page.goto(`${desk.url}/batch`);
    await page.getByLabel('CSV file').setInputFiles(file);
    await page.getByRole('button', { name: 'Check the file' }).click();
    await page.waitForURL(`${desk.url}/batch/check`);
  }

  /** Submits a form built in the page (the page's own origin and cookies), as a script or a replayed form would. */
  async function post(page: Page, action: string, fields: Record<string, string>): Promise<number> {
    const answer = page.waitForResponse((r) => r.url() === `${desk.url}${action}`);
    await page.evaluate(
      `(() => { const f = document.createElement('form'); f.method = 'post'; f.action = ${JSON.stringify(action)};` +
        ` for (const [n, v] of ${JSON.stringify(Object.entries(fields))}) { const i = document.createElement('input');` +
        ` i.type = 'hidden'; i.name = n; i.value = v; f.append(i); } document.body.append(f); f.submit(); })()`,
    );
    const status = (await answer).status();
    await page.waitForLoadState();
    return status;
  }

  /** Waits for the page (which refreshes itself while a batch runs) to show `text` in its main part. */
  async function untilShown(page: Page, text: RegExp, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!text.test(await page.locator('main').innerText())) {
      if (Date.now() > deadline)
        throw new Error(`the page never showed ${text}: ${await page.locator('main').innerText()}`);
      await page.waitForTimeout(250);
    }
  }

  const exists = (workflowId: string) =>
    h.relinks.summary(workflowId).then(
      () => true,
      (err: { kind?: string }) => (err.kind === 'not-found' ? false : Promise.reject(err)),
    );

  it('shows the plan against the daily quota, starts the checked batch by its id, and only once', async () => {
    const page = await pageOf('batch.once');
    await check(
      page,
      'once.csv',
      csv([
        ['dbatch.a', BARCODES[0]!],
        ['dbatch.a', BARCODES[1]!],
      ]),
    );
    expect(await page.locator('#quota').innerText()).toMatch(
      /^The batch needs about 21 Alma calls, and Alma has \d+ left today: \d+ above the workers' floor of 5000, kept for restores\.$/,
    );
    await expectNoAxeViolations(page, 'batch check');
    // The start form carries the token and the batch's id, not the file.
    const form = page.locator('form[action="/batch/start"] input');
    expect(await form.evaluateAll((inputs) => inputs.map((i) => i.getAttribute('name')))).toEqual(['_csrf', 'batch']);
    const fields = Object.fromEntries(
      await form.evaluateAll((inputs) => inputs.map((i) => [i.getAttribute('name'), i.getAttribute('value')])),
    ) as Record<string, string>;
    expect(fields.batch).toMatch(/^[\w-]{24}$/);

    // Another staff member with the id (and a good token) starts nothing.
    const other = await pageOf('batch.other');
    await other.goto(`${desk.url}/batch`);
    expect(await post(other, '/batch/start', fields)).toBe(410);
    expect(await other.getByRole('alert').innerText()).toMatch(/This checked batch is not here any more/);
    await expectNoAxeViolations(other, 'batch start refused');
    expect(await exists('relink-dbatch.a')).toBe(false);

    await page.getByRole('button', { name: 'Start 1 relink' }).click();
    await page.waitForURL(/\/batch\/[\w-]+$/);
    await expectNoAxeViolations(page, 'batch in progress');
    await page.getByRole('link', { name: 'Download the report (CSV)' }).waitFor({ timeout: 30_000 });
    expect(await page.getByRole('status').innerText()).toMatch(/Done: 2 in new relinks/);
    await expectNoAxeViolations(page, 'batch done');

    // The same start again (a replayed form) starts nothing and says why.
    const replay = await pageOf('batch.once');
    await replay.goto(`${desk.url}/batch`);
    expect(await post(replay, '/batch/start', fields)).toBe(410);
    expect(await replay.getByRole('alert').innerText()).toMatch(/it was started already, it was checked more than 30/);
    // Nor does a file's text posted straight to the start, the way the form once sent it.
    const token = fields._csrf!;
    const text = csv([['dbatch.q1', BARCODES[5]!]]);
    expect(await post(replay, '/batch/start', { _csrf: token, fileName: 'straight.csv', text })).toBe(410);
    expect(await exists('relink-dbatch.q1')).toBe(false);
    expect(desk.actions.filter((a) => a.action === 'batch' && a.staff === 'batch.once')).toHaveLength(1);
  });

  it('refuses a file over DESK_BATCH_MAX (as relink batch does) and a batch that would cross the quota floor', async () => {
    const page = await pageOf('batch.big');
    const five = BARCODES.slice(0, 5).map((b): [string, string] => ['dbatch.p1', b]);
    await check(page, 'big.csv', csv(five));
    expect(await page.getByRole('alert').innerText()).toMatch(
      /big\.csv has 1 problem; nothing was started[^]*6\s+the file has 5 item lines, and a batch takes at most 4: split it/,
    );
    await expectNoAxeViolations(page, 'batch too large');
    // relink batch reads the same setting, and without it takes the same default as the desk (200).
    expect(() => cliParseBatchFile(csv(five), 'big.csv', { DESK_BATCH_MAX: '4' })).toThrow(/big\.csv has 1 problem/);
    const many = Array.from({ length: 201 }, (_, i): [string, string] => [`p${i}`, `b${i}`]);
    let refused: unknown;
    try {
      cliParseBatchFile(csv(many), 'many.csv', {});
    } catch (err) {
      refused = err;
    }
    expect(refused).toMatchObject({
      code: 'invalid-input',
      options: expect.objectContaining({ hint: expect.stringMatching(/relink batch many\.csv/) }),
    });
    expect((refused as { options: object }).options).toMatchObject({
      problems: [{ line: 202, message: expect.stringMatching(/201 item lines, and a batch takes at most 200/) }],
    });

    // 41 calls above the floor, for relinks estimated at 14 calls each: 2 of the 3 fit, so nothing starts.
    h.sim.resetDailyQuota(5041);
    try {
      await check(
        page,
        'quota.csv',
        csv([
          ['dbatch.q1', BARCODES[5]!],
          ['dbatch.q2', BARCODES[6]!],
          ['dbatch.q3', BARCODES[7]!],
        ]),
      );
      const refused = await page.getByRole('alert').innerText();
      expect(refused).toMatch(
        /needs about 42 Alma calls, and Alma has 50[34]\d left today: [34]\d above the workers' floor of 5000, kept for restores\. Nothing was started\. The first 2 patrons of the file would fit today/,
      );
      expect(await page.getByRole('button', { name: /^Start/ }).count()).toBe(0);
      await expectNoAxeViolations(page, 'batch over the quota floor');
    } finally {
      h.sim.resetDailyQuota();
    }
    expect(await exists('relink-dbatch.q1')).toBe(false);
  });

  it("takes one of the staff member's starts for each relink: a batch waits at the limit, and a start meanwhile is refused", async () => {
    const page = await pageOf('batch.paced');
    await check(
      page,
      'paced.csv',
      csv([
        ['dbatch.p1', BARCODES[2]!],
        ['dbatch.p2', BARCODES[3]!],
        ['dbatch.p3', BARCODES[4]!],
      ]),
    );
    await page.getByRole('button', { name: 'Start 3 relinks' }).click();
    await page.waitForURL(/\/batch\/[\w-]+$/);
    // The page refreshes itself every 2 s while the batch runs.
    await page.locator('#paced').waitFor({ timeout: 30_000 });
    expect(await page.locator('#paced').innerText()).toMatch(
      /Waiting for the start limit \(2 starts a minute, a batch's relinks included\): the next relinks start at/,
    );
    await untilShown(page, /Starting relinks: 2 of 3 patrons/);
    await expectNoAxeViolations(page, 'batch waiting for the start limit');
    // Four start at a time, so which two went first is open: two of the three.
    const started = await Promise.all(['dbatch.p1', 'dbatch.p2', 'dbatch.p3'].map((p) => exists(`relink-${p}`)));
    expect(started.filter(Boolean)).toHaveLength(2);

    // The two starts of this minute went to the batch: the form's start is refused.
    const single = await pageOf('batch.paced');
    await single.goto(`${desk.url}/start`);
    await single.getByLabel('Patron').fill('dbatch.q2');
    await single.getByLabel('Item barcodes').fill(BARCODES[6]!);
    const answer = single.waitForResponse((r) => r.url() === `${desk.url}/start` && r.request().method() === 'POST');
    await single.getByRole('button', { name: 'Start relink' }).click();
    expect((await answer).status()).toBe(429);
    expect(await single.locator('main').innerText()).toMatch(/At most 2 starts a minute, a batch's relinks included/);
    await expectNoAxeViolations(single, 'start refused by the limit');
    expect(await exists('relink-dbatch.q2')).toBe(false);

    // The next minute the batch goes on, and ends with all three started.
    await page.getByRole('link', { name: 'Download the report (CSV)' }).waitFor({ timeout: 90_000 });
    expect(await page.getByRole('status').innerText()).toMatch(/Done: 3 in new relinks, 0 added to running ones/);
    for (const p of ['dbatch.p1', 'dbatch.p2', 'dbatch.p3']) expect(await exists(`relink-${p}`)).toBe(true);
  }, 180_000);
});
