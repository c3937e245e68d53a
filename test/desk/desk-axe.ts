// axe-core on pages a test fetched over plain HTTP: the HTML is shown in chromium at the desk's own address (the
// browser's request for that URL answered with the HTML the test received), so the desk's real CSS and script load
// from the desk and axe-core sees the page as staff would. One browser per test file, opened on first use.
import { rmSync } from 'node:fs';
import type { BrowserContext } from 'playwright-core';
import { expectNoAxeViolations } from '../support/axe';
import { launchChromium } from '../support/chromium';
import { debianTool } from '../support/debian-package';

const chromiumTool = debianTool('chromium', 'chromium');

export class PageAxe {
  private opened?: Promise<{ browser: BrowserContext; userDataDir: string }>;

  /** Shows `html` as the page at `url` (on the desk) and fails listing every WCAG 2.1 A/AA violation of `state`. */
  async check(url: string, html: string, state: string): Promise<void> {
    if ('skip' in chromiumTool) {
      console.warn(`axe-core check of ${state} skipped: ${chromiumTool.skip}`);
      return;
    }
    this.opened ??= launchChromium(chromiumTool.path, 'relink-desk-axe-', { viewport: { width: 1280, height: 900 } });
    const { browser } = await this.opened;
    const page = await browser.newPage();
    try {
      // Only this one URL is answered from the test; the stylesheet and script come from the desk itself.
      await page.route(
        (u) => u.href === new URL(url).href,
        (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }),
      );
      await page.goto(url);
      await expectNoAxeViolations(page, state);
    } finally {
      await page.close();
    }
  }

  async close(): Promise<void> {
    if (!this.opened) return;
    const { browser, userDataDir } = await this.opened;
    await browser.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}
