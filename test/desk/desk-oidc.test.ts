// `npm run desk` as it runs beside the worker: its own process, signing staff in through an OpenID Connect provider
// (oidc-provider, started by the test). A staff member signs in in the browser, starts a relink, and the desk's log
// records the action with the signed-in name. Without any sign-in, off loopback, the desk refuses to start.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { type BrowserContext } from 'playwright-core';
import { fixturesWith, item, patron } from '../../src/alma-sim/builders';
import { freePort } from '../../src/dev/free-port';
import { launchChromium } from '../support/chromium';
import { debianTool } from '../support/debian-package';
import { startHarness, waitForProgress, type RelinkHarness } from '../support/relink-harness';
import { cliEnv } from '../cli/run-cli';

const ROOT = path.resolve(__dirname, '..', '..');
const chromiumTool = debianTool('chromium', 'chromium');
const describeWithBrowser = 'skip' in chromiumTool ? describe.skip : describe;

interface Child {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts a process and waits for `ready` in its output (or its exit). */
function launch(args: string[], env: NodeJS.ProcessEnv, ready: RegExp, timeoutMs = 60_000): Promise<Child> {
  const proc = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<number | null>((resolve) => proc.on('close', resolve));
  const child = { proc, output: () => out, exited };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in ${timeoutMs} ms: ${out}`)), timeoutMs);
    const seen = (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    proc.stdout!.on('data', seen);
    proc.stderr!.on('data', seen);
    void exited.then(() => {
      clearTimeout(timer);
      resolve(child);
    });
  });
}

const TSX = ['--import', 'tsx', 'src/desk/main.ts'];

describe('npm run desk', () => {
  it('refuses to start off loopback without a sign-in', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DESK_HOST: '0.0.0.0',
      DESK_PORT: '0',
      RELINK_HOLDING_EMAIL: 'h@library.example.edu',
      ALMA_DESK_MAP: 'MAIN=DESK',
    };
    for (const k of Object.keys(env)) if (/^DESK_(OIDC|TRUSTED)/.test(k)) delete env[k];
    const desk = await launch(TSX, env, /$^/);
    expect(await desk.exited).toBe(1);
    expect(desk.output()).toMatch(/the desk listens on 0\.0\.0\.0 but has no sign-in: set DESK_OIDC_ISSUER/);
  });
});

describeWithBrowser('the desk signs staff in through OpenID Connect', () => {
  let h: RelinkHarness;
  let provider: Child;
  let desk: Child;
  let browser: BrowserContext;
  let userDataDir: string;

  beforeAll(async () => {
    h = await startHarness(fixturesWith({ users: [patron('desk.oidc')], items: [item('48300000001')] }));
    const [idpPort, deskPort] = [await freePort(), await freePort()];
    const deskUrl = `http://127.0.0.1:${deskPort}`;
    provider = await launch(
      [path.join(__dirname, '..', 'support', 'oidc-provider.mjs'), String(idpPort), `${deskUrl}/auth/callback`],
      process.env,
      /oidc provider ready/,
    );
    desk = await launch(
      TSX,
      cliEnv(h, {
        DESK_PORT: String(deskPort),
        DESK_PUBLIC_URL: deskUrl,
        DESK_OIDC_ISSUER: `http://127.0.0.1:${idpPort}`,
        DESK_OIDC_CLIENT_ID: 'relink-desk',
        DESK_OIDC_CLIENT_SECRET: 'relink-desk-test-secret',
        DESK_SESSION_KEYS: 'a session key for the desk of at least 32 characters',
      }),
      /Relink desk on/,
    );
    ({ browser, userDataDir } = await launchChromium(
      'path' in chromiumTool ? chromiumTool.path : '/usr/bin/chromium',
      'relink-desk-oidc-',
      {
        viewport: { width: 1280, height: 900 },
      },
    ));
    browser.setDefaultTimeout(30_000);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    desk?.proc.kill('SIGTERM');
    provider?.proc.kill('SIGTERM');
    await Promise.all([desk?.exited, provider?.exited]);
    await h?.relinks.cancel('relink-desk.oidc').catch(() => undefined);
    await h?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  it('signs in at the provider, starts a relink, and records the action with the signed-in name', async () => {
    const deskUrl = /Relink desk on (http:\/\/[^/\s]+)/.exec(desk.output())![1]!;
    const page = await browser.newPage();
    await page.goto(`${deskUrl}/`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await page.getByRole('link', { name: 'Sign in with your library account' }).click();
    // oidc-provider's development login, then its consent page.
    await page.locator('input[name="login"]').fill('oidc.staff');
    await page.locator('input[name="password"]').fill('any');
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]').click();
    await page.waitForURL(`${deskUrl}/`);
    expect(await page.innerText('header')).toContain('Signed in as oidc.staff');

    await page.goto(`${deskUrl}/start`);
    await page.getByLabel('Patron').fill('desk.oidc');
    await page.getByLabel('Item barcodes').fill('48300000001');
    await page.getByRole('button', { name: 'Start relink' }).click();
    await page.waitForURL(`${deskUrl}/relinks/relink-desk.oidc`);
    await waitForProgress(h, 'relink-desk.oidc', (p) => p.awaiting === 'lost-declaration', 60_000);
    const logged = desk
      .output()
      .split('\n')
      .filter((l) => l.includes('"staff-action"'))
      .map((l) => JSON.parse(l));
    expect(logged).toEqual([
      expect.objectContaining({ staff: 'oidc.staff', action: 'start', workflowId: 'relink-desk.oidc' }),
    ]);
  });
});
