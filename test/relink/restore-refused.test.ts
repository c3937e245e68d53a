// A restore Alma refuses with an answer that will not change (a 4xx but 429) is not retried unseen: the relink awaits
// restore-refused, with what to do by hand in Alma (relink status, relink list, the desk's top card), keeps trying by
// itself, and restores once Alma takes it.
import { HOLDING_EMAIL, email, fixturesWith, item, patron, phone } from '../../src/alma-sim/builders';
import { statusText } from '../../src/cli/format';
import { statusView } from '../../src/cli/view';
import { relinkInput } from '../../src/dev/relink-input';
import { loopbackProxy, PROXY_USER, startTestDesk, type TestDesk } from '../desk/desk-support';
import {
  ownAddresses,
  recordHistory,
  staffDeclaresLost,
  startHarness,
  userOf,
  waitForProgress,
  type RelinkHarness,
} from '../support/relink-harness';

type AnyRecord = Record<string, any>;

const PATRON = 'restore.refused';
const BARCODE = '53000000001';

/** Alma refuses every PUT of the patron's record (401860 'Failed to update user.', a 400 it will repeat). */
const refusingPutsOf = (patronId: string) => ({
  rules: [
    {
      method: 'PUT',
      path: `/users/${patronId.replace(/\./g, '\\.')}`,
      action: 'error' as const,
      status: 400,
      errorCode: '401860',
      errorMessage: 'Failed to update user.',
      times: 10_000,
    },
  ],
});

describe('a restore Alma refuses', () => {
  let h: RelinkHarness;
  let desk: TestDesk;
  beforeAll(async () => {
    h = await startHarness(
      fixturesWith({
        users: [patron(PATRON, { emails: [email(`${PATRON}@example.edu`)], phones: [phone('+1 555 0199')] })],
        items: [item(BARCODE)],
      }),
    );
    desk = await startTestDesk(h, loopbackProxy);
  });
  afterAll(async () => {
    await desk?.close();
    await h?.close();
  });

  const preferredEmail = (user: AnyRecord): string | undefined =>
    (user.contact_info?.email ?? []).find((e: AnyRecord) => e.preferred)?.email_address;
  const putsOf = (patronId: string) =>
    h.sim.calls().filter((c) => c.method === 'PUT' && c.path.startsWith(`/almaws/v1/users/${patronId}`)).length;

  it('shows restore-refused with what to do in Alma while it keeps trying, and restores once Alma takes it', async () => {
    const before = userOf(h.sim.state(), PATRON);
    const started = await h.relinks.start(relinkInput(PATRON, [BARCODE]));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');
    h.sim.setFaults(refusingPutsOf(PATRON));
    await staffDeclaresLost(h, started.workflowId);

    const held = await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'restore-refused');
    expect(held.step).toBe('restore');
    expect(held.awaitingInstructions).toMatch(
      /^Alma refuses to restore patron restore\.refused's email: “Failed to update user\.” \(Alma error 401860\)\. /,
    );
    expect(held.awaitingInstructions).toMatch(
      /Manage Users, patron restore\.refused, Contact Information tab: delete the email whose description starts with \[alma-relink:relink-restore\.refused/,
    );
    expect(held.awaitingInstructions).toMatch(/make the patron's own email \(type personal\) preferred again/);
    expect(held.awaitingInstructions).toMatch(/tick "Preferred SMS" again on the phone that had it \(type mobile\)/);
    expect(held.awaitingInstructions).not.toMatch(/@|555/);
    // It keeps trying by itself, and the patron's notices still reach the holding address meanwhile.
    const tries = putsOf(PATRON);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(putsOf(PATRON)).toBeGreaterThan(tries);
    expect((await h.relinks.progress(started.workflowId)).awaiting).toBe('restore-refused');
    expect(preferredEmail(userOf(h.sim.state(), PATRON))).toBe(HOLDING_EMAIL);

    // Staff see it: relink list (the search attribute), relink status, the desk's top card.
    expect((await h.relinks.list({ awaiting: 'restore-refused' })).map((s) => s.workflowId)).toContain(
      started.workflowId,
    );
    const status = statusText(await statusView(h.relinks, started.workflowId));
    expect(status).toMatch(
      /What to do now \(the relink waits for a corrected patron record \(Alma refuses the restore\)\)/,
    );
    expect(status).toMatch(/Nothing to run: the relink tries again by itself/);
    const page = await (await fetch(`${desk.url}/`, { headers: { 'X-Remote-User': PROXY_USER } })).text();
    expect(page).toMatch(/<article class="card restore-refused"/);
    expect(page).toContain('<span class="mark">Restore refused</span>');
    await recordHistory(h, started.workflowId, 'restore-refused-held');

    // Whatever Alma objected to is corrected: the next try restores, and the relink completes.
    h.sim.setFaults({});
    const result = await h.temporal.client.workflow.getHandle(started.workflowId).result();
    expect(result).toMatchObject({ outcome: 'completed', emailRestored: true, emailVerified: true });
    const progress = await h.relinks.progress(started.workflowId);
    expect(progress.awaiting).toBe('none');
    expect(progress.audit.map((a) => a.message).join('\n')).toMatch(/Alma took the restore it had refused/);
    expect(userOf(h.sim.state(), PATRON)).toEqual(before);
    const own = new Set(ownAddresses(before));
    expect(h.sim.notices().filter((n) => n.user_id === PATRON && n.address && own.has(n.address))).toEqual([]);
    await recordHistory(h, started.workflowId, 'restore-refused-then-restored');
  });
});
