// The Temporal Web UI in a real browser (Debian's chromium driven by playwright-core): an admin filters relinks by
// patron, opens one, and reads its input — decrypted by the codec server in the browser, while the Temporal server
// holds only ciphertext — and the step the relink awaits. A dev server of its own (with a UI and the codec endpoint),
// so jest's headless shared server is not involved. Screenshots go to test-output/.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { type BrowserContext, type Locator, type Page } from 'playwright-core';
import { EncryptionCodec, devKeyRing, startCodecServer, type CodecServer } from '../../src/codec';
import { freePort } from '../../src/dev/free-port';
import { startDevServer, type DevServer } from '../../src/dev/temporal-server';
import { launchChromium } from '../support/chromium';
import { debianTool } from '../support/debian-package';
import { HOLDING_EMAIL, fixturesWith, item, patron } from '../../src/alma-sim/builders';
import { relinkInput } from '../../src/dev/relink-input';
import { startHarness, waitForProgress, type RelinkHarness } from '../support/relink-harness';

const OUTPUT = path.resolve(__dirname, '..', '..', 'test-output');
const PATRON = 'ui.browser';
const BARCODE = '47100000001';
const chromiumTool = debianTool('chromium', 'chromium');
const describeWithBrowser = 'skip' in chromiumTool ? describe.skip : describe;
if ('skip' in chromiumTool) console.warn(`Web UI test skipped: ${chromiumTool.skip}`);

describeWithBrowser('the Temporal Web UI, through the codec server', () => {
  let codec: CodecServer;
  let server: DevServer;
  let h: RelinkHarness;
  let browser: BrowserContext;
  let userDataDir: string;
  let workflowId: string;
  const decodeCalls: string[] = [];

  beforeAll(async () => {
    const uiPort = await freePort();
    // The UI is served from 127.0.0.1:<uiPort>; the browser calls the codec server from there (CORS).
    codec = await startCodecServer({
      codec: new EncryptionCodec(devKeyRing()),
      allowedOrigins: [`http://127.0.0.1:${uiPort}`],
      log: (line) => console.warn(line),
    });
    server = await startDevServer({ uiPort, uiCodecEndpoint: codec.url, stdio: 'ignore', log: () => undefined });
    // Whatever happens to this jest worker, the dev server must not outlive it.
    const pid = server.pid;
    process.once('exit', () => {
      try {
        if (pid) process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    });
    h = await startHarness(fixturesWith({ users: [patron(PATRON)], items: [item(BARCODE)] }), {
      address: server.address,
    });
    workflowId = (await h.relinks.start(relinkInput(PATRON, [BARCODE]))).workflowId;
    await waitForProgress(h, workflowId, (p) => p.awaiting === 'lost-declaration', 60_000);

    ({ browser, userDataDir } = await launchChromium(
      'path' in chromiumTool ? chromiumTool.path : '/usr/bin/chromium',
      'relink-chromium-',
      {
        viewport: { width: 1400, height: 1000 },
      },
    ));
    browser.setDefaultTimeout(30_000);
    mkdirSync(OUTPUT, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await h?.relinks.cancel(workflowId).catch(() => undefined);
    await h?.close();
    await server?.stop();
    await codec?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  /** Waits for the locator; on failure says what the page showed instead and keeps a screenshot. */
  async function waitVisible(page: Page, locator: Locator, what: string, timeoutMs = 45_000): Promise<void> {
    try {
      await locator.first().waitFor({ state: 'visible', timeout: timeoutMs });
    } catch {
      const shot = path.join(OUTPUT, `web-ui-failure-${what.replace(/\W+/g, '-')}.png`);
      await page.screenshot({ path: shot, fullPage: true }).catch(() => undefined);
      const body = (await page.innerText('body').catch(() => '')).replace(/\s+/g, ' ').slice(0, 1500);
      throw new Error(
        `The Web UI did not show ${what} within ${timeoutMs} ms at ${page.url()}. ` +
          `Codec server calls so far: ${decodeCalls.length}. Screenshot: ${shot}. The page showed: ${body}`,
      );
    }
  }

  it('filters by RelinkPatronId, opens the run, and shows its decrypted input and the awaited step', async () => {
    const page = await browser.newPage();
    page.on('request', (r) => {
      if (r.url().startsWith(codec.url) && r.method() === 'POST') decodeCalls.push(r.url());
    });

    // 1. The workflow list, filtered by the patron's search attribute (the URL the UI's filter bar produces).
    const query = `RelinkPatronId="${PATRON}"`;
    await page.goto(`${server.uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(query)}`);
    const row = page.getByRole('link', { name: workflowId, exact: true });
    await waitVisible(page, row, `the row of ${workflowId} in the filtered list`);
    await waitVisible(page, page.getByText('RelinkPatronId'), 'the RelinkPatronId filter');
    await page.screenshot({ path: path.join(OUTPUT, 'web-ui-list.png'), fullPage: true });

    // 2. Open the run: its input is shown decrypted, fetched through the codec server by the browser.
    await row.first().click();
    await waitVisible(page, page.getByText(HOLDING_EMAIL), 'the decrypted holding email in the input');
    await waitVisible(page, page.getByText(`"patronId": "${PATRON}"`), 'the decrypted patron id in the input');
    expect(decodeCalls.length).toBeGreaterThan(0);
    expect(decodeCalls.every((u) => u.endsWith('/decode'))).toBe(true);
    expect(await page.innerText('body')).not.toContain('binary/encrypted');
    await page.screenshot({ path: path.join(OUTPUT, 'web-ui-relink.png'), fullPage: true });

    // 3. The search attributes say which staff action the relink awaits.
    await page.getByTestId('search-attributes-tab').click();
    await waitVisible(page, page.getByText('RelinkAwaiting'), 'the RelinkAwaiting search attribute');
    await waitVisible(page, page.getByText('lost-declaration'), 'the awaited step, lost-declaration');
    await page.screenshot({ path: path.join(OUTPUT, 'web-ui-search-attributes.png'), fullPage: true });
  });
});
