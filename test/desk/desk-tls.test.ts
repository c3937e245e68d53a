// The desk where libraries run it: behind a TLS-terminating reverse proxy, its public address https. Signed in by a
// real OpenID Connect provider (oidc-provider), the desk in its own process as `npm run desk`, trusting the proxy
// (DESK_TRUSTED_PROXIES) so it knows the browser's connection is https and its Secure cookie comes back; and signed
// in by the proxy's header, the same proxy adding it. In chromium: sign in, start a relink through a form with its
// CSRF token, sign out; a refused sign-in answer gets a page in staff words. axe-core on every page state.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { fixturesWith, item, patron } from '../../src/alma-sim/builders';
import { freePort } from '../../src/dev/free-port';
import { cliEnv } from '../cli/run-cli';
import { expectNoAxeViolations } from '../support/axe';
import { launchChromium } from '../support/chromium';
import { debianTool } from '../support/debian-package';
import { startHarness, type RelinkHarness } from '../support/relink-harness';
import { startTlsProxy, type TlsProxy } from '../support/tls-proxy';
import { loopbackProxy, startTestDesk, type TestDesk } from './desk-support';

const ROOT = path.resolve(__dirname, '..', '..');
const chromiumTool = debianTool('chromium', 'chromium');
const describeWithBrowser = 'skip' in chromiumTool ? describe.skip : describe;
const KEYS = 'a session key for the desk of at least 32 characters';

interface Child {
  proc: ChildProcess;
  output: () => string;
}

/** Starts a process and resolves once `ready` shows in its output; rejects if it exits first. */
function launch(args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<Child> {
  const proc = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const seen = (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) resolve({ proc, output: () => out });
    };
    proc.stdout!.on('data', seen);
    proc.stderr!.on('data', seen);
    proc.on('close', () => reject(new Error(`exited before it was ready: ${out}`)));
  });
}

async function stop(child: Child | undefined): Promise<void> {
  // A process killed by a signal has signalCode set and exitCode null: waiting for its close would never end.
  if (!child || child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  const closed = new Promise((resolve) => child.proc.once('close', resolve));
  child.proc.kill('SIGTERM');
  await closed;
}

describeWithBrowser('the desk behind a TLS-terminating proxy', () => {
  let h: RelinkHarness;
  let provider: Child;
  let desk: Child;
  let oidcProxy: TlsProxy;
  let headerDesk: TestDesk;
  let headerProxy: TlsProxy;
  let browser: BrowserContext;
  let userDataDir: string;
  let issuer: string;

  beforeAll(async () => {
    h = await startHarness(
      fixturesWith({
        users: [patron('desk.tls'), patron('desk.tlsheader')],
        items: [item('48700000001'), item('48700000002')],
      }),
    );
    const [idpPort, deskPort, proxyPort] = [await freePort(), await freePort(), await freePort()];
    const publicUrl = `https://127.0.0.1:${proxyPort}`;
    issuer = `http://127.0.0.1:${idpPort}`;
    provider = await launch(
      [path.join(__dirname, '..', 'support', 'oidc-provider.mjs'), String(idpPort), `${publicUrl}/auth/callback`],
      process.env,
      /oidc provider ready/,
    );
    desk = await launch(
      ['--import', 'tsx', 'src/desk/main.ts'],
      cliEnv(h, {
        DESK_PORT: String(deskPort),
        DESK_PUBLIC_URL: publicUrl,
        DESK_TRUSTED_PROXIES: 'loopback',
        DESK_OIDC_ISSUER: issuer,
        DESK_OIDC_CLIENT_ID: 'relink-desk',
        DESK_OIDC_CLIENT_SECRET: 'relink-desk-test-secret',
        DESK_SESSION_KEYS: KEYS,
      }),
      /Relink desk on/,
    );
    oidcProxy = await startTlsProxy(`http://127.0.0.1:${deskPort}`, { port: proxyPort });
    // The proxy-header desk: its Secure cookie needs the proxy's X-Forwarded-Proto as much.
    headerDesk = await startTestDesk(h, loopbackProxy, { secureCookies: true });
    headerProxy = await startTlsProxy(headerDesk.url, { addHeaders: { 'X-Remote-User': 'tls.header' } });
    ({ browser, userDataDir } = await launchChromium(
      'path' in chromiumTool ? chromiumTool.path : '/usr/bin/chromium',
      'relink-desk-tls-',
      { viewport: { width: 1280, height: 900 }, ignoreHTTPSErrors: true },
    ));
    browser.setDefaultTimeout(30_000);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await oidcProxy?.close();
    await headerProxy?.close();
    await stop(desk);
    await stop(provider);
    await headerDesk?.close();
    for (const id of ['relink-desk.tls', 'relink-desk.tlsheader']) await h?.relinks.cancel(id).catch(() => undefined);
    await h?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  it('signs in through OpenID Connect, starts a relink, signs out; a refused answer is a page in staff words', async () => {
    const url = oidcProxy.url;
    const page = await browser.newPage();
    await page.goto(`${url}/`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await expectNoAxeViolations(page, 'sign-in behind TLS');
    await page.getByRole('link', { name: 'Sign in with your library account' }).click();
    await page.locator('input[name="login"]').fill('tls.staff');
    await page.locator('input[name="password"]').fill('any');
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]').click();
    await page.waitForURL(`${url}/`);
    expect(await page.innerText('header')).toContain('Signed in as tls.staff');
    const cookie = (await browser.cookies(url)).find((c) => c.name === 'relink-desk');
    expect(cookie).toEqual(expect.objectContaining({ secure: true, httpOnly: true, sameSite: 'Lax' }));
    await expectNoAxeViolations(page, 'home signed in through OpenID Connect');

    await page.goto(`${url}/start`);
    await expectNoAxeViolations(page, 'start form behind TLS');
    await page.getByLabel('Patron').fill('desk.tls');
    await page.getByLabel('Item barcodes').fill('48700000001');
    await page.getByRole('button', { name: 'Start relink' }).click();
    await page.waitForURL(`${url}/relinks/relink-desk.tls`);
    await expectNoAxeViolations(page, 'relink started behind TLS');
    expect((await h.relinks.summary('relink-desk.tls')).workflowId).toBe('relink-desk.tls');
    const logged = desk
      .output()
      .split('\n')
      .filter((l) => l.includes('"staff-action"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged).toEqual([
      expect.objectContaining({ staff: 'tls.staff', action: 'start', workflowId: 'relink-desk.tls' }),
    ]);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${url}/sign-in`);
    await expectNoAxeViolations(page, 'signed out behind TLS');
    await page.goto(`${url}/start`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');

    // A sign-in begun here whose code the provider refuses (invalid_grant): 400, in staff words.
    const begun = await browser.request.get(`${url}/sign-in/oidc`, { maxRedirects: 0 });
    expect(begun.status()).toBe(303);
    const state = new URL(begun.headers().location!).searchParams.get('state')!;
    const refused = await page.goto(`${url}/auth/callback?code=not-a-code-it-gave&state=${state}&iss=${issuer}`);
    expect(refused?.status()).toBe(400);
    expect(await page.innerText('main')).toMatch(/This sign-in answer was already used or has expired/);
    await expectNoAxeViolations(page, 'sign-in answer refused');
    await page.close();
  });

  it('signs in by the proxy header behind the same TLS, starts a relink and signs out', async () => {
    const url = headerProxy.url;
    const page = await browser.newPage();
    await page.goto(`${url}/start`);
    expect(await page.innerText('header')).toContain('Signed in as tls.header');
    await expectNoAxeViolations(page, 'start form, proxy header behind TLS');
    await page.getByLabel('Patron').fill('desk.tlsheader');
    await page.getByLabel('Item barcodes').fill('48700000002');
    await page.getByRole('button', { name: 'Start relink' }).click();
    await page.waitForURL(`${url}/relinks/relink-desk.tlsheader`);
    const before = (await browser.cookies(url)).find((c) => c.name === 'relink-desk');
    expect(before).toEqual(expect.objectContaining({ secure: true, httpOnly: true }));
    expect(headerDesk.actions).toEqual([
      expect.objectContaining({ staff: 'tls.header', action: 'start', workflowId: 'relink-desk.tlsheader' }),
    ]);
    await page.getByRole('button', { name: 'Sign out' }).click();
    // The proxy keeps its own sign-in: the desk's session (its CSRF token) is gone, the home page opens afresh.
    await page.waitForURL(`${url}/`);
    const after = (await browser.cookies(url)).find((c) => c.name === 'relink-desk');
    expect(after?.value).not.toBe(before!.value);
    await expectNoAxeViolations(page, 'home after sign-out, proxy header behind TLS');
    await page.close();
  });
});
