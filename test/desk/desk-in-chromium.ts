// The set-up the desk's browser tests share: a relink harness, the desk behind the loopback proxy, and chromium sending
// the proxy's header for PROXY_USER; closed in the reverse order, the browser profile removed.
import { rmSync } from 'node:fs';
import type { BrowserContext } from 'playwright-core';
import type { Fixtures } from '../../src/alma-sim';
import { launchChromium } from '../support/chromium';
import { startHarness, type RelinkHarness } from '../support/relink-harness';
import { loopbackProxy, PROXY_USER, startTestDesk, type TestDesk } from './desk-support';

export interface DeskInChromium {
  h: RelinkHarness;
  desk: TestDesk;
  browser: BrowserContext;
  close(): Promise<void>;
}

export async function startDeskInChromium(
  fixtures: Fixtures,
  {
    chromiumPath,
    profilePrefix,
    harness,
    desk: deskOptions,
    defaultTimeoutMs,
  }: {
    chromiumPath: string;
    profilePrefix: string;
    harness?: Parameters<typeof startHarness>[1];
    desk?: Parameters<typeof startTestDesk>[2];
    /** Playwright's timeout for each action and wait (unset: Playwright's own). */
    defaultTimeoutMs?: number;
  },
): Promise<DeskInChromium> {
  const h = await startHarness(fixtures, harness);
  let desk: TestDesk | undefined;
  let launched: Awaited<ReturnType<typeof launchChromium>>;
  try {
    desk = await startTestDesk(h, loopbackProxy, deskOptions);
    launched = await launchChromium(chromiumPath, profilePrefix, {
      viewport: { width: 1280, height: 900 },
      extraHTTPHeaders: { 'X-Remote-User': PROXY_USER },
    });
  } catch (err) {
    // What started is closed again: the test's afterAll has nothing to close when its beforeAll failed here.
    await desk?.close();
    await h.close();
    throw err;
  }
  const { browser, userDataDir } = launched;
  const started = desk;
  if (defaultTimeoutMs !== undefined) browser.setDefaultTimeout(defaultTimeoutMs);
  return {
    h,
    desk: started,
    browser,
    async close() {
      await browser.close();
      await started.close();
      await h.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
