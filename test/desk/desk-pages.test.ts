// What the desk's pages say to staff: times in the library's time zone (the ISO value kept in <time datetime>), steps
// and states in words and never as codes, each step's state in text as well as colour; "Keep the loans" and "Restore
// now" ask on a page of their own (no JavaScript) before they act; and "Proceed" while another patron's request is
// still in Alma says so on the page it lands on, instead of the card vanishing and coming back without a word.
import { fixturesWith, holdRequest, item, patron } from '../../src/alma-sim/builders';
import { relinkInput } from '../../src/dev/relink-input';
import { refusingReturnsOf, startHarness, waitForProgress, type RelinkHarness } from '../support/relink-harness';
import { PageAxe } from './desk-axe';
import { DeskClient, loopbackProxy, PROXY_USER, startTestDesk, type TestDesk } from './desk-support';

const TIME_ZONE = 'America/Chicago';

describe("the desk's pages", () => {
  let h: RelinkHarness;
  let desk: TestDesk;
  let staff: DeskClient;
  const axe = new PageAxe();
  beforeAll(async () => {
    h = await startHarness(
      fixturesWith({
        users: ['pages.words', 'pages.kept', 'pages.review', 'pages.stale', 'queue.other'].map((id) => patron(id)),
        items: ['48400000001', '48400000002', '48400000003', '48400000004'].map((b) => item(b)),
        requests: [holdRequest('8484000000003', 'queue.other', '48400000003')],
      }),
    );
    desk = await startTestDesk(h, loopbackProxy, { timeZone: TIME_ZONE });
    staff = new DeskClient(desk.url, { 'X-Remote-User': PROXY_USER });
  });
  afterAll(async () => {
    for (const id of ['relink-pages.words', 'relink-pages.review', 'relink-pages.kept', 'relink-pages.stale'])
      await h?.relinks.cancel(id).catch(() => undefined);
    await axe.close();
    await desk?.close();
    await h?.close();
  });

  it('shows times in the library time zone, steps in words, and each step state in text', async () => {
    const started = await h.relinks.start(relinkInput('pages.words', ['48400000001']));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');
    const home = (await staff.request('/')).html;
    await axe.check(`${desk.url}/`, home, 'home, waiting for Lost');
    const card = home.slice(home.indexOf('relink-pages.words'));
    expect(/<dt>Step<\/dt>\s*<dd>([^<]*)<\/dd>/.exec(card)![1]).toBe('Lost — waiting for your Lost click');
    const [, iso, shown] = /<time datetime="([^"]+)">([^<]+)<\/time>/.exec(card)!;
    const hourThere = new Date(iso!).toLocaleString('en-GB', {
      timeZone: TIME_ZONE,
      hour: '2-digit',
      hourCycle: 'h23',
    });
    expect(shown).toMatch(new RegExp(`^\\d{1,2} \\w{3} \\d{4}, ${hourThere}:\\d\\d:\\d\\d (CST|CDT)$`));

    const page = (await staff.request(`/relinks/${started.workflowId}`)).html;
    await axe.check(`${desk.url}/relinks/${started.workflowId}`, page, 'relink page, waiting for Lost');
    expect(page).toContain('<td>Check patron and items</td>');
    expect(page).not.toMatch(/<td>(preflight|email-swap|scan-in|lost-declaration)<\/td>/);
    expect(page).not.toContain('UTC');
    expect(page).toMatch(/Loan<span class="step-state">: reached<\/span>/);
    expect(page).toMatch(/Lost<span class="step-state">: current step<\/span>/);
    expect(page).toMatch(/Email restored<span class="step-state">: not reached<\/span>/);
  });

  it('asks before "Keep the loans" and "Restore now", and acts only on the confirmation', async () => {
    const started = await h.relinks.start(relinkInput('pages.kept', ['48400000002']));
    const waiting = await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');
    const loanId = waiting.items[0]!.loanId!;
    h.sim.setFaults(refusingReturnsOf('48400000002'));
    await h.relinks.cancel(started.workflowId);
    // Alma keeps refusing the return until the end: the relink's own retries must not take it out of the wait.
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'return-refused');

    // The card's button only opens the page: a GET form, with no token.
    const home = (await staff.request('/')).html;
    await axe.check(`${desk.url}/`, home, 'home, return refused');
    expect(home).toMatch(
      new RegExp(`<form method="get" action="/relinks/${started.workflowId}/keep-loans">[^]*?Keep the loans`),
    );
    // A post that did not come from the confirmation page shows it and does nothing.
    const _csrf = await staff.token();
    for (const action of ['keep-loans', 'restore-now']) {
      const unconfirmed = await staff.request(`/relinks/${started.workflowId}/${action}`, { _csrf, back: 'waiting' });
      expect([unconfirmed.status, unconfirmed.location]).toEqual([
        303,
        `/relinks/${started.workflowId}/${action}?back=waiting`,
      ]);
    }
    expect((await h.relinks.progress(started.workflowId)).awaiting).toBe('return-refused');

    const restore = await staff.request(`/relinks/${started.workflowId}/restore-now`);
    expect(restore.html).toContain('the fines/fees notification');
    await axe.check(`${desk.url}/relinks/${started.workflowId}/restore-now`, restore.html, 'restore-now confirmation');
    const confirm = await staff.request(`/relinks/${started.workflowId}/keep-loans?back=waiting`);
    expect(confirm.status).toBe(200);
    expect(confirm.html).toContain('<h1>Keep the loans?</h1>');
    await axe.check(
      `${desk.url}/relinks/${started.workflowId}/keep-loans?back=waiting`,
      confirm.html,
      'keep-loans confirmation',
    );
    expect(confirm.html).toContain(`48400000002`);
    expect(confirm.html).toContain(`loan ${loanId}`);
    expect(confirm.html).toMatch(/letters about these loans reach the patron: due-date reminders and overdue notices/);
    expect(confirm.html).toContain('<input type="hidden" name="confirmed" value="yes">');
    const token = /name="_csrf" value="([^"]+)"/.exec(confirm.html)![1]!;
    // Without the token the confirmation is refused like every form.
    const forged = await staff.request(`/relinks/${started.workflowId}/keep-loans`, { confirmed: 'yes' });
    expect(forged.status).toBe(403);
    const done = await staff.request(`/relinks/${started.workflowId}/keep-loans`, {
      _csrf: token,
      confirmed: 'yes',
      back: 'waiting',
    });
    expect([done.status, done.location]).toEqual([303, '/']);
    await h.temporal.client.workflow
      .getHandle(started.workflowId)
      .result()
      .catch(() => undefined);
    h.sim.setFaults({});
    const audit = (await h.relinks.progress(started.workflowId)).audit.map((a) => a.message).join('\n');
    expect(audit).toContain(`${PROXY_USER} chose to keep the loans`);
    expect(desk.actions).toEqual(
      expect.arrayContaining([expect.objectContaining({ action: 'keep-loans', workflowId: started.workflowId })]),
    );
  });

  it('says in words that a button from an old page was not done, because the relink moved on', async () => {
    const started = await h.relinks.start(relinkInput('pages.stale', ['48400000004']));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');
    // A colleague's page still showed the request review: its "Abort" reaches a relink that waits for the Lost click.
    const res = await staff.request(`/relinks/${started.workflowId}/abort`, {
      _csrf: await staff.token(),
      back: 'waiting',
    });
    expect([res.status, res.location]).toEqual([303, '/']);
    const flash = /<p class="flash" role="status">([^<]*)<\/p>/.exec((await staff.request('/')).html)?.[1];
    expect(flash).toBe(
      '&quot;Abort&quot; was not done: the relink no longer waits for that; it now waits for a Lost click. Its card ' +
        'shows what to do now.',
    );
    expect((await h.relinks.progress(started.workflowId)).awaiting).toBe('lost-declaration');
  });

  it('says after "Proceed" that the request is still in Alma, when it is', async () => {
    const started = await h.relinks.start(relinkInput('pages.review', ['48400000003']));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'request-review');
    const res = await staff.request(`/relinks/${started.workflowId}/proceed`, {
      _csrf: await staff.token(),
      back: 'waiting',
    });
    expect([res.status, res.location]).toEqual([303, '/']);
    const home = (await staff.request('/')).html;
    await axe.check(`${desk.url}/`, home, 'home, after Proceed with the request still in Alma');
    expect(/<p class="flash" role="status">([^<]*)<\/p>/.exec(home)?.[1]).toMatch(
      /read the request queue in Alma again, and another patron&#39;s request is still there/,
    );
    expect(home).toContain(started.workflowId);
  });

  it('says what to do when the relink service does not answer a start, instead of a 500', async () => {
    // A gRPC error from Temporal (a server restarting), as the generated chaos met it on a join after a cancel.
    const spy = jest
      .spyOn(h.relinks, 'start')
      .mockRejectedValueOnce(new Error('14 UNAVAILABLE: Failed to get Workflow execution history'));
    try {
      const res = await staff.request('/start', {
        _csrf: await staff.token(),
        patron: 'pages.review',
        barcodes: '48400000003',
      });
      expect(res.status).toBe(503);
      await axe.check(`${desk.url}/start`, res.html, 'start, the relink service did not answer');
      expect(res.html).toMatch(/The relink service did not answer \(14 UNAVAILABLE/);
      expect(res.html).toMatch(/may or may not have gone through: look for patron pages\.review&#39;s relink/);
    } finally {
      spy.mockRestore();
    }
  });
});
