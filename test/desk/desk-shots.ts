// Screenshots of the page states desk tests reach: with RECORD_SCREENSHOTS=1 into docs/desk/ (the README shows them),
// otherwise into test-output/desk/ so a run never changes the documentation by accident.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';

export const SHOTS =
  process.env.RECORD_SCREENSHOTS === '1'
    ? path.resolve(__dirname, '..', '..', 'docs', 'desk')
    : path.resolve(__dirname, '..', '..', 'test-output', 'desk');

/** Saves the whole page as `<name>.png`. */
export async function deskShot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}
