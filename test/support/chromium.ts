// Debian's chromium driven by playwright-core (no browser download), headless, with the flags this machine's closed
// network needs (no background connections). Each test gets its own throw-away profile directory.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

type ContextOptions = NonNullable<Parameters<typeof chromium.launchPersistentContext>[1]>;

export async function launchChromium(
  executablePath: string,
  profilePrefix: string,
  options: ContextOptions = {},
): Promise<{ browser: BrowserContext; userDataDir: string }> {
  const userDataDir = mkdtempSync(path.join(tmpdir(), profilePrefix));
  const browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: FLAGS,
    ...options,
  });
  return { browser, userDataDir };
}
