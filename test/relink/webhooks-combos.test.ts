// Alma's webhooks where they meet the other features (issue 27 with 24, 26): a join while the first item waits for
// its Lost click, the daily-quota floor, the "after-fines-job" quiet period with a join and a job's end reported twice
// and late, a staff edit during the wait for a desk loan. As the world is: the production quota floor (5000), the
// webhook mode's production fallback poll (30 minutes, then 4 hours), so what happens within seconds happens because
// Alma said so. In a namespace of this file's own: a job's end goes to every relink waiting for it.
import { createHmac } from 'node:crypto';
import { HOLDING_EMAIL, email, fixturesWith, item, patron, withLoanPolicy } from '../../src/alma-sim/builders';
import type { RelinkInput, RelinkResult } from '../../src/contract';
import { relinkInput } from '../../src/dev/relink-input';
import { JsonLogger } from '../../src/observability';
import { startWebhookListener, type WebhookListener } from '../../src/webhooks/listener';
import { loadWebhookSettings } from '../../src/webhooks/settings';
import {
  expectNothingReachedThePatron,
  recordHistory,
  startHarness,
  userOf,
  waitForProgress,
  writesIn,
  type RelinkHarness,
} from '../support/relink-harness';

type AnyRecord = Record<string, any>;

const SECRET = 'relink-webhooks-combos-secret-01';
const B = {
  joinA: '56000000001',
  joinB: '56000000002',
  floor: '56000000003',
  quietA: '56000000004',
  quietB: '56000000005',
  desk: '56000000006',
};
const PATRONS = ['combo.join', 'combo.floor', 'combo.quiet', 'combo.desk', 'combo.other'];

/** The relink as a deployment with webhooks starts it: the production fallback poll. */
const withWebhooks = (patronId: string, barcode: string, extra: Partial<RelinkInput> = {}): RelinkInput => {
  const input = relinkInput(patronId, [barcode], { webhooks: true, ...extra });
  delete input.lostPollInitial;
  delete input.lostPollMax;
  return input;
};

describe("Alma's webhooks with the other features", () => {
  let h: RelinkHarness;
  let listener: WebhookListener;
  beforeAll(async () => {
    const fixtures = fixturesWith({
      users: PATRONS.map((id) => patron(id, { emails: [email(`${id}@example.edu`)] })),
      items: [
        ...[B.joinA, B.joinB, B.floor, B.quietA, B.quietB].map((barcode) => item(barcode)),
        item(B.desk, { library: 'SCI' }),
      ],
    });
    // The science library lends only at its desks (a loan policy restricted to the API, as in staff-loan.test.ts).
    const restricted = withLoanPolicy(fixtures, 'SCI', { api_restricted: true });
    h = await startHarness(restricted, { namespace: 'relink-webhooks-combos' });
    listener = await startWebhookListener({
      settings: loadWebhookSettings({ ALMA_WEBHOOK_SECRET: SECRET, RELINK_WEBHOOK_PORT: '0' }),
      client: h.temporal.client,
      log: new JsonLogger('ERROR', { write: () => undefined }),
    });
    await h.sim.configureWebhooks({ url: listener.url, secret: SECRET });
  });
  afterEach(async () => {
    h.sim.setFaults({});
    // The worker's client learns Alma's count back above the floor from its next answer (a call the floor allows).
    await h.alma.forCompensation().getUser('combo.other');
  });
  afterAll(async () => {
    await h?.sim.configureWebhooks(undefined);
    await listener?.close();
    await h?.close();
  });

  const resultOf = (workflowId: string) =>
    h.temporal.client.workflow.getHandle(workflowId).result() as Promise<RelinkResult>;
  const loanOf = (patronId: string, barcode: string): AnyRecord =>
    h.sim.state().loans.find((l: AnyRecord) => l.user_id === patronId && l.item_barcode === barcode) as AnyRecord;
  const feeLetters = (patronId: string) =>
    h.sim.notices().filter((n) => n.user_id === patronId && n.letter === 'FulFinesFeesNotificationLetter');
  const staffReported = (result: RelinkResult) =>
    result.audit.map((a) => a.message).filter((m) => /^Staff (reported|said)/.test(m));

  /** A message as Alma sends it to the listener, signed; the listener's answer. */
  async function postToListener(message: AnyRecord): Promise<{ status: number; body: AnyRecord }> {
    const body = JSON.stringify(message);
    const signature = createHmac('sha256', SECRET).update(body).digest('base64');
    const res = await fetch(listener.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-exl-signature': signature },
      body,
    });
    return { status: res.status, body: (await res.json()) as AnyRecord };
  }

  /** Alma's JOB_END of a run of the Fines/Fees Notification job that ended at `ranAt`. */
  const finesJobEnd = (id: string, ranAt: Date): AnyRecord => ({
    id,
    action: 'JOB_END',
    institution: { value: 'SIM_INST', desc: 'Simulated institution' },
    time: ranAt.toISOString(),
    job_instance: {
      id: `${ranAt.getTime()}0101`,
      name: 'Fines/Fees Notifications',
      job_info: { id: 'S00000001', name: 'Fines/Fees Notifications' },
      status: { value: 'COMPLETED_SUCCESS', desc: 'Completed Successfully' },
      end_time: ranAt.toISOString(),
    },
  });

  it('a join while the first item waits for its Lost click: both clicks reported by Alma, each checked in Alma', async () => {
    const before = userOf(h.sim.state(), 'combo.join');
    const started = await h.relinks.start(withWebhooks('combo.join', B.joinA));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');
    // A second start for the patron, with another barcode: it joins the running relink.
    const joined = await h.relinks.start(withWebhooks('combo.join', B.joinB));
    expect(joined).toMatchObject({ workflowId: started.workflowId, joined: true, added: [B.joinB] });

    // Staff click Lost on the first item (in Alma only) while the second is being relinked.
    h.sim.declareLost(loanOf('combo.join', B.joinA).loan_id);
    // The click reported while B was relinked is checked once B is loaned, without a poll or a confirm-lost.
    const both = await waitForProgress(
      h,
      started.workflowId,
      (p) =>
        p.awaiting === 'lost-declaration' &&
        p.items.some((i) => i.barcode === B.joinB && i.phase === 'loaned') &&
        p.items.some((i) => i.barcode === B.joinA && i.lostConfirmed === true),
      15_000,
    );
    expect(both.items.map((i) => [i.barcode, i.phase])).toEqual([
      [B.joinA, 'lost-confirmed'],
      [B.joinB, 'loaned'],
    ]);
    expect(both.contact).toMatchObject({ swapped: true, restored: false });

    const clickedAt = Date.now();
    h.sim.declareLost(loanOf('combo.join', B.joinB).loan_id);
    const result = await resultOf(started.workflowId);
    expect(Date.now() - clickedAt).toBeLessThan(15_000);
    expect(result).toMatchObject({ outcome: 'completed', emailRestored: true, emailVerified: true });
    // Each Lost confirmed by the relink's own read of Alma's loans, not taken on the webhook's word nor staff's.
    expect(result.items.map((i) => [i.barcode, i.lostConfirmed, i.lostConfirmedBy])).toEqual([
      [B.joinA, true, 'loan-process-status'],
      [B.joinB, true, 'loan-process-status'],
    ]);
    const messages = result.audit.map((a) => a.message);
    for (const barcode of [B.joinA, B.joinB]) {
      expect(messages).toContainEqual(`Alma reported a Lost click for ${barcode}; checking Alma now.`);
    }
    expect(staffReported(result)).toEqual([]);
    const loans = await h.alma.listUserLoans('combo.join', 'Active');
    expect(loans.map((l) => [l.item_barcode, l.process_status])).toEqual(
      expect.arrayContaining([
        [B.joinA, 'LOST'],
        [B.joinB, 'LOST'],
      ]),
    );
    expect(userOf(h.sim.state(), 'combo.join')).toEqual(before);
    expectNothingReachedThePatron(h, 'combo.join', before);
  });

  // The floor holds back forward work, the Lost check too (docs/reliability.md, guarantee 5; chaos "quota, outage &
  // cap"): the reported click is checked at once, the check is refused without a call, and the relink ends failed
  // (AlmaDailyLimit). Only the compensation writes below the floor: the restore. The click itself is not undone: the
  // loan stays Lost (a give-up returns only loans Alma does not show Lost), and its letter went to the holding address.
  it('a Lost click reported below the quota floor: the check waits for the quota instead of ending the relink', async () => {
    const before = userOf(h.sim.state(), 'combo.floor');
    const started = await h.relinks.start(withWebhooks('combo.floor', B.floor));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');

    // Other integrations spend the day's calls: Alma's count falls under the floor, and the worker learns it.
    h.sim.setFaults({ dailyRemaining: 4000 });
    await h.alma.getUser('combo.other');
    const mark = h.sim.calls().length;
    h.sim.declareLost(loanOf('combo.floor', B.floor).loan_id);
    await waitForProgress(h, started.workflowId, (p) =>
      p.audit.some((a) => a.message === `Alma reported a Lost click for ${B.floor}; checking Alma now.`),
    );
    // The check is refused before it is sent, and tried again: the relink still waits, nothing was written.
    await new Promise((r) => setTimeout(r, 5000));
    const waiting = await h.relinks.progress(started.workflowId);
    expect(waiting).toMatchObject({ awaiting: 'lost-declaration', contact: { swapped: true, restored: false } });
    const handle = h.temporal.client.workflow.getHandle(started.workflowId);
    const check = (await handle.describe()).raw.pendingActivities?.find(
      (a) => a.activityType?.name === 'checkLostDeclared',
    );
    expect(check?.lastFailure?.applicationFailureInfo).toMatchObject({ type: 'AlmaDailyLimit', nonRetryable: false });
    expect(writesIn(h.sim.calls(mark))).toEqual([]);

    // Alma's midnight: the count is back, and the worker's next reading says so (ALMA_QUOTA_RECHECK in production).
    h.sim.setFaults({});
    await h.alma.forCompensation().getUser('combo.other');
    const result = await resultOf(started.workflowId);
    expect(result).toMatchObject({ outcome: 'completed', emailRestored: true, emailVerified: true });
    expect(result.audit.map((a) => a.message)).toContainEqual(
      `Lost confirmed in Alma for ${B.floor} (loan status LOST).`,
    );
    expect(loanOf('combo.floor', B.floor)).toMatchObject({ loan_status: 'ACTIVE', process_status: 'LOST' });
    const lostLetters = h.sim.notices().filter((n) => n.user_id === 'combo.floor' && /Lost/.test(n.letter));
    expect(lostLetters.map((n) => n.address)).toEqual([HOLDING_EMAIL]);
    expect(userOf(h.sim.state(), 'combo.floor')).toEqual(before);
    expectNothingReachedThePatron(h, 'combo.floor', before);
  });

  it('"after-fines-job" with a join in the quiet period, and a job end reported twice and late', async () => {
    const before = userOf(h.sim.state(), 'combo.quiet');
    const restoreAfter = 'after-fines-job up to 40 seconds';
    const started = await h.relinks.start(withWebhooks('combo.quiet', B.quietA, { restoreAfter }));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');
    h.sim.declareLost(loanOf('combo.quiet', B.quietA).loan_id);
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'quiet-period');

    // B joins in the quiet period: it is relinked and waits for its own Lost click, the address held meanwhile.
    expect(await h.relinks.start(withWebhooks('combo.quiet', B.quietB, { restoreAfter }))).toMatchObject({
      added: [B.quietB],
    });
    await waitForProgress(
      h,
      started.workflowId,
      (p) => p.awaiting === 'lost-declaration' && p.items.some((i) => i.barcode === B.quietB && i.phase === 'loaned'),
    );
    // Tonight's Fines/Fees Notification job runs before B's Lost: A's fee letter goes to the holding address. Its
    // end reaches no relink waiting for it (this one waits for B's Lost click).
    const jobRanAt = new Date();
    h.sim.runJob('fines-fees-notification');
    expect(feeLetters('combo.quiet').map((n) => n.address)).toEqual([HOLDING_EMAIL]);
    await new Promise((r) => setTimeout(r, 1_000));
    const waitingForB = await h.relinks.progress(started.workflowId);
    expect(waitingForB).toMatchObject({ awaiting: 'lost-declaration', contact: { swapped: true, restored: false } });

    // B's Lost click: the quiet period begins again, bounded by B's Lost and the limit.
    h.sim.declareLost(loanOf('combo.quiet', B.quietB).loan_id);
    const quiet = await waitForProgress(
      h,
      started.workflowId,
      (p) => p.awaiting === 'quiet-period' && p.items.every((i) => i.lostConfirmed),
    );
    const lostB = Date.parse(
      quiet.audit.find((a) => a.message.startsWith(`Lost confirmed in Alma for ${B.quietB}`))?.at ?? '',
    );
    const quietUntil = [...quiet.audit]
      .reverse()
      .map((a) => /^Quiet period before the restore until (\S+) /.exec(a.message)?.[1])
      .find(Boolean);
    expect(Date.parse(quietUntil!)).toBeLessThanOrEqual(lostB + 40_000 + 1_000);

    // The listener was away when that night's job ended; Alma sends its message again now (twice, as a retry after a
    // lost answer would). The run was before B's Lost: B's fee letter is still to come, the address stays.
    const late = finesJobEnd('7001000000000000001', jobRanAt);
    expect(await postToListener(late)).toMatchObject({ status: 200, body: { ok: true, signalled: 1 } });
    expect(await postToListener(late)).toMatchObject({ status: 200, body: { ok: true, repeat: true } });
    await new Promise((r) => setTimeout(r, 2_000));
    const stillQuiet = await h.relinks.progress(started.workflowId);
    expect(stillQuiet).toMatchObject({ awaiting: 'quiet-period', contact: { swapped: true, restored: false } });

    // The next run sends B's fee letter to the holding address; its end (from the simulated Alma) ends the quiet period.
    h.sim.runJob('fines-fees-notification');
    const result = await resultOf(started.workflowId);
    expect(result).toMatchObject({ outcome: 'completed', emailRestored: true, emailVerified: true });
    expect(feeLetters('combo.quiet').map((n) => n.address)).toEqual([HOLDING_EMAIL, HOLDING_EMAIL]);
    // A second message about that run, with another id (a second integration profile): nothing left to tell.
    expect(await postToListener(finesJobEnd('7001000000000000002', new Date()))).toMatchObject({
      status: 200,
      body: { ok: true, signalled: 0 },
    });
    const messages = result.audit.map((a) => a.message);
    // The late report (its repeat taken once) and the next run's.
    expect(
      messages.filter((m) => m.startsWith('Alma reported that its Fines/Fees Notification job has run')),
    ).toHaveLength(2);
    expect(messages).toContainEqual(
      "Alma's Fines/Fees Notification job has run since the Lost: its letters went to the holding address; restoring the patron.",
    );
    expect(userOf(h.sim.state(), 'combo.quiet')).toEqual(before);
    expectNothingReachedThePatron(h, 'combo.quiet', before);
    await recordHistory(h, started.workflowId, 'webhooks-fines-job-late-after-join');
  });

  it('a staff edit undoing the swap while the relink waits for the desk loan is swapped back at once', async () => {
    const before = userOf(h.sim.state(), 'combo.desk');
    const started = await h.relinks.start(withWebhooks('combo.desk', B.desk));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'staff-loan');

    // A colleague makes the patron's own address preferred again in Alma's UI (Alma sends the USER webhook).
    const swapped = userOf(h.sim.state(), 'combo.desk');
    const emails = swapped.contact_info.email.map((e: AnyRecord) => ({
      ...e,
      preferred: e.email_address === 'combo.desk@example.edu',
    }));
    h.sim.editUser('combo.desk', { contact_info: { ...swapped.contact_info, email: emails } });
    const editedAt = Date.now();
    const reswapped = await waitForProgress(h, started.workflowId, (p) =>
      p.audit.some((a) => a.message.startsWith('The swap had been undone in Alma, and was made again')),
    );
    expect(Date.now() - editedAt).toBeLessThan(15_000);
    expect(reswapped).toMatchObject({ awaiting: 'staff-loan', contact: { swapped: true, restored: false } });
    const preferred = userOf(h.sim.state(), 'combo.desk')
      .contact_info.email.filter((e: AnyRecord) => e.preferred)
      .map((e: AnyRecord) => e.email_address);
    expect(preferred).toEqual([HOLDING_EMAIL]);

    // Staff loan it at the desk: its receipt reaches the holding address; Alma's message wakes the relink.
    h.sim.loanAtDesk('combo.desk', B.desk);
    const receipts = h.sim.notices().filter((n) => n.user_id === 'combo.desk' && n.letter === 'FulLoanReceiptLetter');
    expect(receipts.map((n) => n.address)).toEqual([HOLDING_EMAIL]);
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration', 15_000);
    h.sim.declareLost(loanOf('combo.desk', B.desk).loan_id);
    const result = await resultOf(started.workflowId);
    expect(result).toMatchObject({ outcome: 'completed', emailRestored: true, emailVerified: true });
    expect(staffReported(result)).toEqual([]);
    expect(userOf(h.sim.state(), 'combo.desk')).toEqual(before);
    expectNothingReachedThePatron(h, 'combo.desk', before);
  });
});
