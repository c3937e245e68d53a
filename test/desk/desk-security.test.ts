// The desk's doors: no sign-in, no page; a form without the session's CSRF token is refused and starts nothing; the
// sign-in header counts only from the configured proxies; the pages carry a strict content security policy.
import { fixturesWith, item, patron } from '../../src/alma-sim/builders';
import { DeskStaff } from '../../src/dev/desk-staff';
import { startHarness, type RelinkHarness } from '../support/relink-harness';
import { loopbackProxy, PROXY_USER, startTestDesk, type TestDesk } from './desk-support';

describe('the desk refuses', () => {
  let h: RelinkHarness;
  let desk: TestDesk;
  let elsewhere: TestDesk;
  let dev: TestDesk;
  beforeAll(async () => {
    h = await startHarness(fixturesWith({ users: [patron('desk.forged')], items: [item('48100000001')] }));
    desk = await startTestDesk(h, loopbackProxy);
    // The only trusted proxy is another machine: this test's requests come from loopback.
    elsewhere = await startTestDesk(h, { kind: 'proxy', header: 'X-Remote-User', trustedProxies: ['10.9.9.9'] });
    dev = await startTestDesk(h, { kind: 'dev' }, { startsPerMinute: 2 });
  });
  afterAll(async () => {
    await desk?.close();
    await elsewhere?.close();
    await dev?.close();
    await h?.close();
  });

  const signedIn = { 'X-Remote-User': PROXY_USER };

  it('every page without a signed-in staff member', async () => {
    for (const path of ['/', '/start', '/batch', '/relinks/relink-desk.forged']) {
      expect((await fetch(desk.url + path)).status).toBe(401);
      const devPage = await fetch(dev.url + path, { redirect: 'manual' });
      expect([devPage.status, devPage.headers.get('location')]).toEqual([303, '/sign-in']);
    }
    const start = await fetch(desk.url + '/start', { method: 'POST', body: new URLSearchParams({ patron: 'x' }) });
    expect(start.status).toBe(401);
    // Signed in, the same page opens, with a strict policy and no inline script allowed.
    const home = await fetch(desk.url + '/', { headers: signedIn });
    expect(home.status).toBe(200);
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
    expect(await forged.text()).toMatch(/did not come from the desk/);
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
    expect(await res.text()).toMatch(/only through the library sign-in proxy/);
    // Nor may a name that is not a user name pass.
    const odd = await fetch(desk.url + '/', { headers: { 'X-Remote-User': '<script>' } });
    expect(odd.status).toBe(403);
  });

  it('a third start in a minute from the same staff member', async () => {
    const staff = new DeskStaff(dev.url);
    await staff.signIn('busy.staff');
    // Starts the workflow would refuse anyway (an unknown character): the limit counts every start that is tried.
    for (let i = 0; i < 2; i++) await expect(staff.start('no such patron', ['1'])).rejects.toThrow(/\(400\)/);
    await expect(staff.start('no such patron', ['1'])).rejects.toThrow(/\(429\)/);
    // Another staff member still may.
    const other = new DeskStaff(dev.url);
    await other.signIn('other.staff');
    await expect(other.start('no such patron', ['1'])).rejects.toThrow(/\(400\)/);
  });
});
