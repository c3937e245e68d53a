// Where features meet (issue 24): the quiet period with the quota floor and with joins, keep-loans in the overdue-job
// mode, and joins in the wait for Alma's job. Each case once let a letter reach the patron, or held the address past
// its limit; the one rule for holding the address (src/workflows/holding-rule.ts) decides them all now. Production
// defaults throughout: the quota floor (ALMA_MIN_DAILY_REMAINING 5000) and the step timeout.
import { HOLDING_EMAIL, email, fixturesWith, item, itemIds, patron } from '../../src/alma-sim/builders';
import type { RelinkResult } from '../../src/contract';
import { overdueJobMode, relinkInput } from '../../src/dev/relink-input';
import {
  expectNothingReachedThePatron,
  recordHistory,
  staffDeclaresLost,
  startHarness,
  userOf,
  waitForProgress,
  type RelinkHarness,
} from '../support/relink-harness';

type AnyRecord = Record<string, any>;

const PATRONS = ['seam.floor', 'seam.join', 'seam.keep', 'seam.jobjoin', 'seam.fail', 'seam.other'];
const B = {
  floor: '49000000001',
  joinA: '49000000002',
  joinB: '49000000003',
  keep: '49000000004',
  jobA: '49000000005',
  jobB: '49000000006',
  failA: '49000000007',
  failB: '49000000008',
};
const pid = (barcode: string) => itemIds(barcode).itemPid;

describe('one rule for holding the address, where features meet', () => {
  let h: RelinkHarness;
  beforeAll(async () => {
    h = await startHarness(
      fixturesWith({
        users: PATRONS.map((id) => patron(id, { emails: [email(`${id}@example.edu`)] })),
        items: Object.values(B).map((barcode) => item(barcode)),
      }),
      { sim: { jobs: { lostAfterDays: 1 / 86_400, overdueAfterDays: 0 } } },
    );
  });
  afterAll(async () => h?.close());
  afterEach(async () => {
    h.sim.setFaults({});
    // The worker's client learns Alma's count back above the floor from its next answer (a call the floor allows).
    await h.alma.forCompensation().getUser('seam.other');
  });

  const resultOf = (workflowId: string) =>
    h.temporal.client.workflow.getHandle(workflowId).result() as Promise<RelinkResult>;
  const feeLetters = (patronId: string) =>
    h.sim.notices().filter((n) => n.user_id === patronId && n.letter === 'FulFinesFeesNotificationLetter');
  const loanOf = (patronId: string, barcode: string): AnyRecord =>
    h.sim.state().loans.find((l: AnyRecord) => l.user_id === patronId && l.item_barcode === barcode) as AnyRecord;

  it('below the quota floor in the quiet period, the swap is still read again and the fee letter reaches the holding address', async () => {
    const before = userOf(h.sim.state(), 'seam.floor');
    const started = await h.relinks.start(relinkInput('seam.floor', [B.floor], { restoreAfter: '12 hours' }));
    await staffDeclaresLost(h, started.workflowId);
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'quiet-period');

    // Other integrations of the institution spend the day's calls: Alma's count falls under the floor (5000), and
    // the worker learns it from the next answer.
    h.sim.setFaults({ dailyRemaining: 4000 });
    await h.alma.getUser('seam.other');
    const mark = h.sim.calls().length;
    // The swap is trusted for 10 s, then read again at the next poll (every second here).
    await new Promise((r) => setTimeout(r, 13_000));
    const reread = h.sim.calls(mark).filter((c) => c.method === 'GET' && c.path.includes('/users/seam.floor'));
    expect(reread.length).toBeGreaterThan(0);
    const still = await h.relinks.progress(started.workflowId);
    expect(still).toMatchObject({ awaiting: 'quiet-period', contact: { swapped: true, restored: false } });

    // The night's Fines/Fees Notification job runs in the quiet period: its letter reaches the holding address.
    h.sim.runJob('fines-fees-notification');
    expect(feeLetters('seam.floor')).toEqual([expect.objectContaining({ address: HOLDING_EMAIL })]);

    // The restore is never refused by the floor.
    await h.relinks.restoreNow(started.workflowId, 'desk.jo');
    expect(await resultOf(started.workflowId)).toMatchObject({ outcome: 'completed', emailVerified: true });
    expect(userOf(h.sim.state(), 'seam.floor')).toEqual(before);
    expectNothingReachedThePatron(h, 'seam.floor', before);
    await recordHistory(h, started.workflowId, 'seams-quiet-period-below-floor');
  });

  it("a join's request and its aborted review never end another item's quiet period", async () => {
    const before = userOf(h.sim.state(), 'seam.join');
    const input = (barcode: string) => relinkInput('seam.join', [barcode], { restoreAfter: '12 hours' });
    const started = await h.relinks.start(input(B.joinA));
    await staffDeclaresLost(h, started.workflowId);
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'quiet-period');

    // B joins; another patron's hold lands on B between its review and its scan-in (the scan-in's re-read of B's bib
    // held back: the review's read is the first of the bib's list, the re-check's the second).
    const queue = `bibs/${itemIds(B.joinB).mmsId}/requests`;
    h.sim.setFaults({ rules: [{ method: 'GET', path: queue, action: 'delay', delayMs: 3000, times: 2 }] });
    const mark = h.sim.calls().length;
    expect(await h.relinks.start(input(B.joinB))).toMatchObject({ added: [B.joinB] });
    for (let i = 0; i < 300; i++) {
      if (h.sim.calls(mark).filter((c) => c.method === 'GET' && c.path.includes(queue)).length >= 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await h.alma.createItemRequest('seam.other', pid(B.joinB), {
      request_type: 'HOLD',
      pickup_location_type: 'LIBRARY',
      pickup_location_library: 'MAIN',
    });
    const review = await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'request-review');
    // A is Lost and in its quiet period: the address stays while staff review B's queue.
    expect(review.contact).toMatchObject({ swapped: true, restored: false });
    h.sim.runJob('fines-fees-notification');
    expect(feeLetters('seam.join')).toEqual([expect.objectContaining({ address: HOLDING_EMAIL })]);

    // Aborting B's review drops B; A's quiet period goes on.
    await h.relinks.review(started.workflowId, { decision: 'abort' });
    const quiet = await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'quiet-period');
    expect(quiet.contact).toMatchObject({ swapped: true, restored: false });
    expect(quiet.items.map((i) => [i.barcode, i.phase])).toEqual([
      [B.joinA, 'lost-confirmed'],
      [B.joinB, 'aborted'],
    ]);
    await h.relinks.restoreNow(started.workflowId);
    const result = await resultOf(started.workflowId);
    expect(result).toMatchObject({ emailRestored: true, emailVerified: true });
    expect(userOf(h.sim.state(), 'seam.join')).toEqual(before);
    expectNothingReachedThePatron(h, 'seam.join', before);
    await recordHistory(h, started.workflowId, 'seams-join-aborted-during-quiet-period');
  });

  it("a join that fails after another item's Lost still leaves the address until that item's quiet period ends", async () => {
    const before = userOf(h.sim.state(), 'seam.fail');
    const input = (barcode: string) => relinkInput('seam.fail', [barcode], { restoreAfter: '12 hours' });
    const started = await h.relinks.start(input(B.failA));
    await staffDeclaresLost(h, started.workflowId);
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'quiet-period');

    // B joins, and Alma refuses its loan: the relink fails, with A Lost and its fee not yet announced.
    h.sim.setFaults({
      rules: [
        {
          method: 'POST',
          path: '/users/seam\\.fail/loans',
          action: 'error',
          status: 400,
          errorCode: '401153',
          errorMessage: 'Item cannot be loaned from this circulation desk.',
          times: 1_000,
        },
      ],
    });
    await h.relinks.start(input(B.failB));
    const held = await waitForProgress(
      h,
      started.workflowId,
      (p) => p.awaiting === 'quiet-period' && p.items.some((i) => i.barcode === B.failB && i.phase === 'failed'),
    );
    expect(held.contact).toMatchObject({ swapped: true, restored: false });
    expect(held.audit.map((a) => a.message)).toContainEqual(
      expect.stringMatching(new RegExp(`^The holding address stays before the restore: ${B.failA}: the Fines/Fees`)),
    );
    h.sim.runJob('fines-fees-notification');
    expect(feeLetters('seam.fail')).toEqual([expect.objectContaining({ address: HOLDING_EMAIL })]);

    await h.relinks.restoreNow(started.workflowId, 'desk.jo');
    await expect(resultOf(started.workflowId)).rejects.toThrow();
    expect(userOf(h.sim.state(), 'seam.fail')).toEqual(before);
    expectNothingReachedThePatron(h, 'seam.fail', before);
    await recordHistory(h, started.workflowId, 'seams-failed-join-holds-quiet-period');
  });

  it('keep-loans in the overdue-job mode gives the kept loan its own due date back first, and says so once', async () => {
    const started = await h.relinks.start(relinkInput('seam.keep', [B.keep], overdueJobMode('1 hour')));
    const waiting = await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-job');
    expect(Date.parse(loanOf('seam.keep', B.keep).due_date)).toBeLessThan(Date.now() + 60_000);

    await h.relinks.keepLoans(started.workflowId, 'desk.jo');
    const result = await resultOf(started.workflowId).catch((err) => err);
    expect(result).toMatchObject({ outcome: 'aborted', emailRestored: true });
    // The loan's own due date (days ahead, by the loan policy) is back: Alma's job has nothing to declare Lost.
    expect(Date.parse(loanOf('seam.keep', B.keep).due_date)).toBeGreaterThan(Date.now() + 86_400_000);
    const messages = (result as RelinkResult).audit.map((a) => a.message);
    expect(messages.filter((m) => m.includes('chose to keep the loans'))).toHaveLength(1);
    expect(messages.find((m) => m.includes('chose to keep the loans'))).toMatch(/goes back to the loan's own first/);
    expect(messages).toContainEqual(expect.stringMatching(new RegExp(`^Due date of ${B.keep} moved back to`)));
    h.sim.runJob('overdue-and-lost');
    expect(loanOf('seam.keep', B.keep)).toMatchObject({ loan_status: 'ACTIVE' });
    expect(loanOf('seam.keep', B.keep).process_status).not.toBe('LOST');
    expect(waiting.items[0]!.loanId).toBeDefined();
    await recordHistory(h, started.workflowId, 'seams-keep-loans-due-date-back');
  });

  it("a join never pushes the wait for Alma's job past the holding-address limit", async () => {
    const before = userOf(h.sim.state(), 'seam.jobjoin');
    const input = (barcode: string) =>
      relinkInput('seam.jobjoin', [barcode], overdueJobMode('40 seconds', { holdingAddressLimit: '60 seconds' }));
    const started = await h.relinks.start(input(B.jobA));
    const first = await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-job');
    const waitSince = Date.parse(first.audit.find((a) => a.message.startsWith('Due date of'))!.at);
    // Late in the wait, B joins: the job's run after B's due date would come after the limit.
    await new Promise((r) => setTimeout(r, Math.max(0, waitSince + 25_000 - Date.now())));
    await h.relinks.start(input(B.jobB));
    const joined = await waitForProgress(
      h,
      started.workflowId,
      (p) => p.items.some((i) => i.barcode === B.jobB && i.phase === 'loaned') && p.awaiting === 'lost-job',
    );
    // B's due date stays as the loan policy set it; staff are asked for its click.
    expect(Date.parse(loanOf('seam.jobjoin', B.jobB).due_date)).toBeGreaterThan(Date.now() + 86_400_000);
    expect(joined.audit.map((a) => a.message)).toContainEqual(
      expect.stringMatching(new RegExp(`could not declare ${B.jobB} Lost before the holding-address limit`)),
    );
    // No "checks Alma at" time past the limit.
    const limitAt = waitSince + 60_000 + 2_000;
    for (const a of joined.audit) {
      const at = /checks Alma at (\S+)\./.exec(a.message)?.[1];
      if (at) expect(Date.parse(at)).toBeLessThanOrEqual(limitAt);
    }
    // The job declares A Lost; staff click Lost for B.
    await new Promise((r) =>
      setTimeout(r, Math.max(0, Date.parse(loanOf('seam.jobjoin', B.jobA).due_date) + 1_500 - Date.now())),
    );
    h.sim.runJob('overdue-and-lost');
    await staffDeclaresLost(h, started.workflowId);
    const result = await resultOf(started.workflowId);
    expect(result).toMatchObject({ outcome: 'completed', emailVerified: true });
    expect(userOf(h.sim.state(), 'seam.jobjoin')).toEqual(before);
    expectNothingReachedThePatron(h, 'seam.jobjoin', before);
    await recordHistory(h, started.workflowId, 'seams-lost-job-join-past-limit');
  });
});
