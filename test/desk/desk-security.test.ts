// The desk's doors: no sign-in, no page; a form without the session's CSRF token is refused and starts nothing; a
// form from another web site is refused and leaves the session alone; the sign-in header counts only from the
// configured proxies; development sign-in is refused through a proxy; uploads too large or malformed get a page in
// staff words; only starts that went through count against the limit; the pages carry a strict security policy.
import { fixturesWith, item, patron } from '../../src/alma-sim/builders';
import { DeskRefused, DeskStaff } from '../../src/dev/desk-staff';
import { startHarness, type RelinkHarness } from '../support/relink-harness';
import { PageAxe } from './desk-axe';
import { DeskClient, loopbackProxy, PROXY_USER, startTestDesk, type TestDesk } from './desk-support';

describe('the desk refuses', () => {
  let h: RelinkHarness;
  let desk: TestDesk;
  let elsewhere: TestDesk;
  let dev: TestDesk;
  const axe = new PageAxe();
  beforeAll(async () => {
    h = await startHarness(
      fixturesWith({
        users: [patron('desk.forged'), patron('desk.limit')],
        items: [item('48100000001'), item('48100000002')],
      }),
    );
    desk = await startTestDesk(h, loopbackProxy);
    // The only trusted proxy is another machine: this test's requests come from loopback.
    elsewhere = await startTestDesk(h, { kind: 'proxy', header: 'X-Remote-User', trustedProxies: ['10.9.9.9'] });
    dev = await startTestDesk(h, { kind: 'dev' }, { startsPerMinute: 2 });
  });
  afterAll(async () => {
    await h?.relinks.cancel('relink-desk.limit').catch(() => undefined);
    await axe.close();
    await desk?.close();
    await elsewhere?.close();
    await dev?.close();
    await h?.close();
  });

  const signedIn = { 'X-Remote-User': PROXY_USER };

  it('every page without a signed-in staff member', async () => {
    for (const path of ['/', '/start', '/batch', '/relinks/relink-desk.forged']) {
      const refused = await fetch(desk.url + path);
      expect(refused.status).toBe(401);
      if (path === '/') await axe.check(desk.url + path, await refused.text(), 'not signed in (401)');
      const devPage = await fetch(dev.url + path, { redirect: 'manual' });
      expect([devPage.status, devPage.headers.get('location')]).toEqual([303, '/sign-in']);
    }
    const start = await fetch(desk.url + '/start', { method: 'POST', body: new URLSearchParams({ patron: 'x' }) });
    expect(start.status).toBe(401);
    // Signed in, the same page opens, with a strict policy and no inline script allowed.
    const home = await fetch(desk.url + '/', { headers: signedIn });
    expect(home.status).toBe(200);
    await axe.check(desk.url + '/', await home.text(), 'home, signed in by the proxy header');
    const csp = home.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('a forged form without the CSRF token, and starts nothing', async () => {
    const form = new URLSearchParams({ patron: 'desk.forged', barcodes: '48100000001' });
    const forged = await fetch(desk.url + '/start', { method: 'POST', headers: signedIn, body: form });
    expect(forged.status).toBe(403);
    const forgedPage = await forged.text();
    expect(forgedPage).toMatch(/did not come from the desk/);
    await axe.check(desk.url + '/start', forgedPage, 'a form without the CSRF token (403)');
    // A token of another session does not help either.
    const other = await fetch(desk.url + '/start', { headers: signedIn });
    const token = /name="_csrf" value="([^"]+)"/.exec(await other.text())![1]!;
    form.set('_csrf', token);
    const replayed = await fetch(desk.url + '/start', { method: 'POST', headers: signedIn, body: form });
    expect(replayed.status).toBe(403);
    const action = await fetch(desk.url + '/relinks/relink-desk.forged/confirm-lost', {
      method: 'POST',
      headers: signedIn,
      body: new URLSearchParams({}),
    });
    expect(action.status).toBe(403);
    await expect(h.relinks.summary('relink-desk.forged')).rejects.toThrow(/No relink/);
    expect(desk.actions).toEqual([]);
  });

  it('the proxy header from an address that is not a configured proxy', async () => {
    const res = await fetch(elsewhere.url + '/', { headers: signedIn });
    expect(res.status).toBe(403);
    const refused = await res.text();
    expect(refused).toMatch(/only through the library sign-in proxy/);
    await axe.check(elsewhere.url + '/', refused, 'the proxy header from elsewhere (403)');
    // Nor may a name that is not a user name pass.
    const odd = await fetch(desk.url + '/', { headers: { 'X-Remote-User': '<script>' } });
    expect(odd.status).toBe(403);
  });

  it('a form from another web site, without touching the session', async () => {
    const staff = new DeskClient(dev.url);
    const signInPage = (await staff.request('/sign-in')).html;
    await axe.check(dev.url + '/sign-in', signInPage, 'development sign-in');
    const signIn = /name="_csrf" value="([^"]+)"/.exec(signInPage)![1]!;
    expect((await staff.request('/sign-in', { _csrf: signIn, name: 'cross.staff' })).status).toBe(303);
    // Signing in gives the session a new token (the one from before sign-in no longer counts).
    const _csrf = await staff.token('/');
    expect(_csrf).not.toBe(signIn);
    const crossSite = { origin: 'https://elsewhere.example', 'sec-fetch-site': 'cross-site' };
    // With the cookie (a browser sending it) and without (SameSite=Lax keeps it back): refused, and no new cookie.
    const signedIn = await staff.request(
      '/start',
      { _csrf, patron: 'desk.forged', barcodes: '48100000001' },
      crossSite,
    );
    const anonymous = await fetch(dev.url + '/sign-out', { method: 'POST', headers: crossSite, redirect: 'manual' });
    for (const res of [signedIn, { status: anonymous.status, setCookie: anonymous.headers.getSetCookie() }]) {
      expect(res.status).toBe(403);
      expect(res.setCookie).toEqual([]);
    }
    expect(signedIn.html).toMatch(/came from another web site, not from the desk, so the desk did nothing/);
    await axe.check(dev.url + '/start', signedIn.html, 'a form from another web site (403)');
    // An old browser sends only Origin: the same.
    const byOrigin = await staff.request('/sign-out', { _csrf }, { origin: 'https://elsewhere.example' });
    expect(byOrigin.status).toBe(403);
    // Still signed in; the desk's own form works.
    const home = await staff.request('/');
    expect([home.status, home.html.includes('Signed in as <strong>cross.staff</strong>')]).toEqual([200, true]);
    const own = await staff.request('/sign-out', { _csrf }, { origin: dev.url, 'sec-fetch-site': 'same-origin' });
    expect([own.status, own.location]).toEqual([303, '/sign-in']);
    await expect(h.relinks.summary('relink-desk.forged')).rejects.toThrow(/No relink/);
  });

  it('development sign-in through a proxy on this machine', async () => {
    for (const header of ['x-forwarded-for', 'forwarded', 'x-forwarded-host']) {
      const value =
        header === 'forwarded' ? 'for=192.0.2.7' : header === 'x-forwarded-host' ? 'desk.example' : '192.0.2.7';
      const page = await fetch(dev.url + '/sign-in', { headers: { [header]: value } });
      expect(page.status).toBe(403);
      const refused = await page.text();
      expect(refused).toMatch(/Development sign-in works only from a browser on this machine, not through a proxy/);
      if (header === 'forwarded') await axe.check(dev.url + '/sign-in', refused, 'development sign-in by proxy (403)');
    }
    // Nor does a session begun directly let a proxied sign-in through.
    const staff = new DeskClient(dev.url);
    const _csrf = /name="_csrf" value="([^"]+)"/.exec((await staff.request('/sign-in')).html)![1]!;
    const proxied = await staff.request('/sign-in', { _csrf, name: 'someone' }, { 'x-forwarded-for': '192.0.2.7' });
    expect(proxied.status).toBe(403);
  });

  it('a batch file too large (413) or a malformed upload (400), with a page in staff words', async () => {
    const big = new FormData();
    big.append('file', new Blob(['patron_id,barcode\n' + 'desk.forged,48100000001\n'.repeat(50_000)]), 'big.csv');
    const tooLarge = await fetch(desk.url + '/batch/check', { method: 'POST', headers: signedIn, body: big });
    expect(tooLarge.status).toBe(413);
    const tooLargePage = await tooLarge.text();
    expect(tooLargePage).toMatch(/The file is larger than 1 MB, more than a batch takes/);
    await axe.check(desk.url + '/batch/check', tooLargePage, 'a batch file too large (413)');
    const malformed = await fetch(desk.url + '/batch/check', {
      method: 'POST',
      headers: { ...signedIn, 'content-type': 'multipart/form-data; boundary=xyz' },
      body: '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\npatron_id',
    });
    expect(malformed.status).toBe(400);
    const malformedPage = await malformed.text();
    expect(malformedPage).toMatch(/could not read the upload: choose one CSV file/);
    await axe.check(desk.url + '/batch/check', malformedPage, 'a malformed upload (400)');
    const twoFiles = new FormData();
    twoFiles.append('file', new Blob(['a']), 'a.csv');
    twoFiles.append('file', new Blob(['b']), 'b.csv');
    const two = await fetch(desk.url + '/batch/check', { method: 'POST', headers: signedIn, body: twoFiles });
    expect(two.status).toBe(400);
  });

  it('a third start in a minute from the same staff member; refused forms do not count', async () => {
    const staff = new DeskStaff(dev.url);
    await staff.signIn('busy.staff');
    // Starts refused for their fields (an unknown character) are not starts: they leave the limit alone.
    for (let i = 0; i < 3; i++) await expect(staff.start('no such patron', ['1'])).rejects.toThrow(/\(400\)/);
    // Two that go through (a start, then the same patron's again: it joins the running relink), then the limit.
    await staff.start('desk.limit', ['48100000002']);
    await staff.start('desk.limit', ['48100000002']);
    const refused = await staff.start('desk.limit', ['48100000002']).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(DeskRefused);
    expect((refused as DeskRefused).status).toBe(429);
    expect((refused as DeskRefused).html).toMatch(/At most 2 starts a minute/);
    await axe.check(dev.url + '/start', (refused as DeskRefused).html, 'too many starts (429)');
    // Another staff member still may.
    const other = new DeskStaff(dev.url);
    await other.signIn('other.staff');
    await expect(other.start('no such patron', ['1'])).rejects.toThrow(/\(400\)/);
  });
});
