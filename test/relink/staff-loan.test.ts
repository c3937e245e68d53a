// Alma as a real tenant refuses the API loan (issue 26): a loan policy restricted to the API (60340) or a patron's fine
// limit computed at the loan (401652) cannot be overridden through the API, and the item is already scanned in. The
// relink keeps the holding address and waits for a staff member to loan the item at the desk (with an override),
// notices the loan by itself, and goes on to the Lost click; or staff give up on the item. Production defaults (the
// quota floor, the step timeout); the simulator's libraries carry the loan rules a tenant's fulfillment units have.
import { HOLDING_EMAIL, email, fixturesWith, item, patron, withLoanPolicy } from '../../src/alma-sim/builders';
import type { RelinkResult } from '../../src/contract';
import { overdueJobMode, relinkInput } from '../../src/dev/relink-input';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describeHistory, HISTORIES_DIR } from '../support/history-corpus';
import {
  expectNothingReachedThePatron,
  recordHistory,
  showHistory,
  staffDeclaresLost,
  startHarness,
  userOf,
  waitForProgress,
  type RelinkHarness,
} from '../support/relink-harness';

type AnyRecord = Record<string, any>;

const B = {
  restricted: '51000000001',
  owes: '51000000002',
  twoA: '51000000003',
  twoB: '51000000004',
  joined: '51000000005',
  job: '51000000006',
};
const PATRONS = ['desk.loan', 'owes.fees', 'desk.two', 'desk.job'];

/** An active fee owed by a patron: over the library's fine limit, Alma refuses the API loan. */
const fee = (id: string, userId: string, amount: number): AnyRecord => ({
  id,
  user_primary_id: { value: userId },
  type: { value: 'OVERDUEFINE', desc: 'Overdue fine' },
  status: { value: 'ACTIVE', desc: 'Active' },
  balance: amount,
  original_amount: amount,
  owner: { value: 'MAIN', desc: 'Main Library' },
});

describe('when Alma refuses the API loan, staff loan at the desk', () => {
  let h: RelinkHarness;
  beforeAll(async () => {
    const fixtures = fixturesWith({
      users: PATRONS.map((id) => patron(id, { emails: [email(`${id}@example.edu`)] })),
      items: [
        item(B.restricted, { library: 'SCI' }),
        item(B.owes),
        item(B.twoA),
        item(B.twoB, { library: 'SCI' }),
        item(B.joined),
        item(B.job, { library: 'SCI' }),
      ],
      fees: [fee('95000000999', 'owes.fees', 50) as never],
    });
    // The science library lends only at its desks; the main library refuses a patron owing more than 10.
    const restricted = withLoanPolicy(withLoanPolicy(fixtures, 'SCI', { api_restricted: true }), 'MAIN', {
      fine_limit: 10,
    });
    // Alma's Overdue and Lost Loan job marks a loan Lost 1 s past due, as in test/relink/lost-by-job.test.ts.
    h = await startHarness(restricted, { sim: { jobs: { lostAfterDays: 1 / 86_400, overdueAfterDays: 0 } } });
  });
  afterAll(async () => h?.close());

  const resultOf = (workflowId: string) =>
    h.temporal.client.workflow.getHandle(workflowId).result() as Promise<RelinkResult>;

  /** The relink's history once the server holds it in `wait` (the replay corpus's held case), saved as `name`. */
  async function recordHeld(workflowId: string, wait: string, name: string): Promise<void> {
    let described: ReturnType<typeof describeHistory> | undefined;
    let history: Record<string, unknown> = {};
    for (let i = 0; i < 50 && described?.heldIn !== wait; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 200));
      history = JSON.parse(await showHistory(workflowId, { decrypt: true })) as Record<string, unknown>;
      described = describeHistory(`${name}.json`, workflowId, history);
    }
    expect(described).toMatchObject({ closed: false, heldIn: wait });
    if (process.env.RECORD_HISTORIES === '1') {
      writeFileSync(path.join(HISTORIES_DIR, `${name}.json`), JSON.stringify({ workflowId, history }));
    }
  }

  it('holds the address, takes a join, notices the desk loan by itself, and completes after the Lost click', async () => {
    const before = userOf(h.sim.state(), 'desk.loan');
    const started = await h.relinks.start(relinkInput('desk.loan', [B.restricted]));
    const waiting = await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'staff-loan');
    await recordHeld(started.workflowId, 'staff-loan', 'staff-loan-held');
    // A second start for the patron joins while staff are asked for the desk loan; it is relinked after it.
    const joined = await h.relinks.start(relinkInput('desk.loan', [B.joined]));
    expect(joined).toMatchObject({ workflowId: started.workflowId, joined: true, added: [B.joined] });
    expect(waiting.contact).toMatchObject({ swapped: true, restored: false });
    expect(waiting.items[0]).toMatchObject({ barcode: B.restricted, phase: 'awaiting-staff-loan' });
    expect(waiting.awaitingInstructions).toMatch(/API Restricted by library/);
    expect(waiting.awaitingInstructions).toMatch(new RegExp(`patron desk\\.loan, scan barcode ${B.restricted}`));
    expect(waiting.awaitingInstructions).toMatch(/override the block or limit/);

    // A staff member loans it in Manage Patron Services; nobody tells the relink.
    h.sim.loanAtDesk('desk.loan', B.restricted);
    const receipt = h.sim.notices().filter((n) => n.user_id === 'desk.loan' && n.letter === 'FulLoanReceiptLetter');
    expect(receipt.map((n) => n.address)).toEqual([HOLDING_EMAIL]);
    const lost = await waitForProgress(
      h,
      started.workflowId,
      (p) => p.awaiting === 'lost-declaration' && p.items.every((i) => i.phase === 'loaned'),
    );
    expect(lost.items.map((i) => i.barcode)).toEqual([B.restricted, B.joined]);
    expect(lost.audit.map((a) => a.message)).toContainEqual(
      `Item ${B.restricted} loaned to patron desk.loan at the desk by staff.`,
    );

    await staffDeclaresLost(h, started.workflowId);
    const result = await resultOf(started.workflowId);
    expect(result).toMatchObject({ outcome: 'completed', emailRestored: true, emailVerified: true });
    expect(userOf(h.sim.state(), 'desk.loan')).toEqual(before);
    expectNothingReachedThePatron(h, 'desk.loan', before);
    await recordHistory(h, started.workflowId, 'staff-loan-at-desk');
  });

  it('warns of the fees before the swap; staff give up on the item and the email is restored', async () => {
    const before = userOf(h.sim.state(), 'owes.fees');
    const started = await h.relinks.start(relinkInput('owes.fees', [B.owes]));
    const waiting = await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'staff-loan');
    const messages = waiting.audit.map((a) => a.message);
    const warning = messages.findIndex((m) => m.startsWith('The patron owes 50.00'));
    const swap = messages.findIndex((m) => m.startsWith('Preferred email switched to the holding address'));
    expect(warning).toBeGreaterThan(-1);
    expect(warning).toBeLessThan(swap);
    expect(waiting.awaitingInstructions).toMatch(/a limit of the patron's \(fines, loans\)/);

    // Pressing "I loaned it" too early: Alma shows no loan, the relink says so and keeps waiting.
    await h.relinks.confirmLost(started.workflowId, undefined, 'desk.jo');
    await waitForProgress(h, started.workflowId, (p) =>
      p.audit.some((a) => a.message.startsWith(`Alma shows no loan of ${B.owes} to patron owes.fees yet`)),
    );
    await h.relinks.review(started.workflowId, { decision: 'abort', by: 'desk.jo' });
    const result = await resultOf(started.workflowId);
    expect(result).toMatchObject({ outcome: 'aborted', emailRestored: true, emailVerified: true });
    expect(result.items[0]).toMatchObject({ phase: 'aborted', stateNow: expect.stringMatching(/^scanned in and not/) });
    expect(result.items[0]!.stateNow).toMatch(/mark it Missing again/);
    expect(userOf(h.sim.state(), 'owes.fees')).toEqual(before);
    expect(h.sim.state().loans.filter((l: AnyRecord) => l.user_id === 'owes.fees')).toEqual([]);
    expectNothingReachedThePatron(h, 'owes.fees', before);
    await recordHistory(h, started.workflowId, 'staff-loan-given-up');
  });

  it('gives up on one refused item and relinks the other', async () => {
    const before = userOf(h.sim.state(), 'desk.two');
    const started = await h.relinks.start(relinkInput('desk.two', [B.twoB, B.twoA]));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'staff-loan');
    await h.relinks.review(started.workflowId, { decision: 'abort' });
    await staffDeclaresLost(h, started.workflowId);
    const result = await resultOf(started.workflowId);
    expect(result).toMatchObject({ outcome: 'completed', emailRestored: true });
    expect(result.items.map((i) => [i.barcode, i.phase])).toEqual([
      [B.twoB, 'aborted'],
      [B.twoA, 'lost-confirmed'],
    ]);
    expectNothingReachedThePatron(h, 'desk.two', before);
  });

  it("in the overdue-job mode, the desk loan's due date is moved and Alma's job declares it Lost", async () => {
    const before = userOf(h.sim.state(), 'desk.job');
    const started = await h.relinks.start(relinkInput('desk.job', [B.job], overdueJobMode('4 seconds')));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'staff-loan');
    h.sim.loanAtDesk('desk.job', B.job);
    await h.relinks.confirmLost(started.workflowId);
    const waiting = await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-job');
    const loan = h.sim.state().loans.find((l: AnyRecord) => l.user_id === 'desk.job') as AnyRecord;
    expect(Date.parse(loan.due_date)).toBeLessThan(Date.now() + 60_000);
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(loan.due_date) + 1_500 - Date.now())));
    expect(h.sim.runJob('overdue-and-lost').markedLost).toEqual([waiting.items[0]!.loanId]);
    const result = await resultOf(started.workflowId);
    expect(result).toMatchObject({ outcome: 'completed', emailRestored: true, emailVerified: true });
    expect(userOf(h.sim.state(), 'desk.job')).toEqual(before);
    expectNothingReachedThePatron(h, 'desk.job', before);
  });
});
