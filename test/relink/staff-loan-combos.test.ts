// The staff-loan wait (issue 26 item 1) where it meets the other ways out and limits: a cancel before and after the
// desk loan, Alma's daily quota under the workers' floor, and the holding-address limit. Production defaults: the
// quota floor (5000), the step timeout and, where the test does not hinge on it, the Lost poll of RELINK_DEFAULTS (the
// first check a minute in). The science library lends only at its desks (a loan policy restricted to the API).
import { WorkflowFailedError } from '@temporalio/client';
import { HOLDING_EMAIL, email, fixturesWith, item, itemIds, patron, withLoanPolicy } from '../../src/alma-sim/builders';
import type { RelinkResult } from '../../src/contract';
import { relinkInput, simulatedRelink } from '../../src/dev/relink-input';
import {
  expectNothingReachedThePatron,
  recordHistory,
  startHarness,
  userOf,
  waitForProgress,
  type RelinkHarness,
} from '../support/relink-harness';

type AnyRecord = Record<string, any>;

const B = {
  cancelled: '52000000001',
  deskThenCancel: '52000000002',
  floor: '52000000003',
  floorNext: '52000000004',
  limit: '52000000005',
  late: '52000000006',
};
const PATRONS = ['combo.cancel', 'combo.desk', 'combo.floor', 'combo.limit', 'combo.late', 'combo.other'];

describe('the staff-loan wait with the other ways out and limits', () => {
  let h: RelinkHarness;
  beforeAll(async () => {
    const fixtures = fixturesWith({
      users: PATRONS.map((id) => patron(id, { emails: [email(`${id}@example.edu`)] })),
      // floorNext is an ordinary item of the main library: its API loan goes through.
      items: Object.values(B).map((b) => item(b, b === B.floorNext ? {} : { library: 'SCI' })),
    });
    const restricted = withLoanPolicy(fixtures, 'SCI', { api_restricted: true });
    h = await startHarness(restricted);
  });
  afterAll(async () => h?.close());
  afterEach(async () => {
    h.sim.setFaults({});
    // The worker's client learns Alma's count back above the floor from its next answer (a call the floor allows).
    await h.alma.forCompensation().getUser('combo.other');
  });

  const handle = (workflowId: string) => h.temporal.client.workflow.getHandle(workflowId);
  const resultOf = (workflowId: string) => handle(workflowId).result() as Promise<RelinkResult>;
  const loansOf = (patronId: string): AnyRecord[] =>
    h.sim.state().loans.filter((l: AnyRecord) => l.user_id === patronId);
  const itemOf = (barcode: string): AnyRecord =>
    h.sim.state().items.find((i: AnyRecord) => i.item_data.barcode === barcode) as AnyRecord;
  const lettersTo = (patronId: string, letter: string) =>
    h.sim.notices().filter((n) => n.user_id === patronId && n.letter === letter);
  const messages = (p: { audit: Array<{ message: string }> }) => p.audit.map((a) => a.message);

  it('a cancel before the desk loan leaves the item scanned in and not loaned, says so, and restores', async () => {
    const before = userOf(h.sim.state(), 'combo.cancel');
    const started = await h.relinks.start(simulatedRelink('combo.cancel', [B.cancelled]));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'staff-loan');
    await h.relinks.cancel(started.workflowId);
    await expect(handle(started.workflowId).result()).rejects.toBeInstanceOf(WorkflowFailedError);

    const after = await h.relinks.progress(started.workflowId);
    expect(after.awaiting).toBe('none');
    expect(after.contact).toMatchObject({ restored: true, verified: true });
    // Staff read what became of the item: scanned in (its Missing status cleared), not loaned, and not to be loaned
    // at the desk now that the patron's own address is back.
    expect(after.items[0]).toMatchObject({
      barcode: B.cancelled,
      stateNow: expect.stringMatching(/^scanned in and not loaned: do not loan it to the patron at the desk now/),
    });
    expect(after.items[0]!.stateNow).toMatch(/mark it Missing again/);
    // The audit (what the desk, the CLI and the Web UI show) says it before the restore.
    const said = messages(after).indexOf(`${B.cancelled}: ${after.items[0]!.stateNow}`);
    expect(said).toBeGreaterThan(-1);
    expect(said).toBeLessThan(
      messages(after).findIndex((m) => m.startsWith('Original email and SMS settings restored')),
    );
    expect(itemOf(B.cancelled).item_data.process_type?.value ?? '').toBe('');
    expect(loansOf('combo.cancel')).toEqual([]);
    expect(userOf(h.sim.state(), 'combo.cancel')).toEqual(before);
    expectNothingReachedThePatron(h, 'combo.cancel', before);
    await recordHistory(h, started.workflowId, 'staff-loan-cancelled');
  });

  it('a cancel after the desk loan the relink had not noticed yet returns that loan under the holding address', async () => {
    const before = userOf(h.sim.state(), 'combo.desk');
    // The default poll: the first look for the desk loan a minute in, so the cancel comes before it.
    const started = await h.relinks.start(simulatedRelink('combo.desk', [B.deskThenCancel]));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'staff-loan');
    const desk = h.sim.loanAtDesk('combo.desk', B.deskThenCancel);
    expect(lettersTo('combo.desk', 'FulLoanReceiptLetter').map((n) => n.address)).toEqual([HOLDING_EMAIL]);
    await h.relinks.cancel(started.workflowId);
    await expect(handle(started.workflowId).result()).rejects.toBeInstanceOf(WorkflowFailedError);

    const after = await h.relinks.progress(started.workflowId);
    expect(after.contact).toMatchObject({ restored: true, verified: true });
    expect(after.items[0]).toMatchObject({
      phase: 'returned',
      loanId: desk.loan_id,
      stateNow: expect.stringMatching(/^returned; now in place/),
    });
    // The audit names the loan for what it is: the one staff made at the desk, not a loan of the relink's own.
    expect(messages(after)).toContainEqual(
      expect.stringMatching(
        new RegExp(`^Alma shows ${B.deskThenCancel} on loan to patron combo\\.desk: the loan staff made at the desk`),
      ),
    );
    expect(messages(after).join('\n')).not.toMatch(/this relink's loan went through/);
    const returned = messages(after).findIndex((m) => m.startsWith(`${B.deskThenCancel}: returned`));
    const restored = messages(after).findIndex((m) => m.startsWith('Original email and SMS settings restored'));
    expect(returned).toBeGreaterThan(-1);
    expect(returned).toBeLessThan(restored);
    // No active loan is left whose letters would reach the patron; the return's receipt went to the holding address.
    expect(loansOf('combo.desk').map((l) => l.loan_status)).toEqual(['COMPLETE']);
    expect(lettersTo('combo.desk', 'FulReturnReceiptLetter').map((n) => n.address)).toEqual([HOLDING_EMAIL]);
    expect(userOf(h.sim.state(), 'combo.desk')).toEqual(before);
    expectNothingReachedThePatron(h, 'combo.desk', before);
    await recordHistory(h, started.workflowId, 'staff-loan-cancelled-after-desk-loan');
  });

  it('below the quota floor the desk loan is still noticed; the next forward write is refused and the loan returned', async () => {
    const before = userOf(h.sim.state(), 'combo.floor');
    const started = await h.relinks.start(relinkInput('combo.floor', [B.floor, B.floorNext]));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'staff-loan');
    // Other integrations spend the day's calls: Alma's count falls under the floor (5000); the worker learns it from
    // the wait's own next read of the patron's loans, which the floor never refuses.
    h.sim.setFaults({ dailyRemaining: 4000 });
    const mark = h.sim.calls().length;
    await new Promise((r) => setTimeout(r, 2_500));
    expect((await h.relinks.progress(started.workflowId)).awaiting).toBe('staff-loan');
    expect(h.sim.calls(mark).some((c) => c.method === 'GET' && c.path.includes('/users/combo.floor/loans'))).toBe(true);

    h.sim.loanAtDesk('combo.floor', B.floor);
    const result = await handle(started.workflowId)
      .result()
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    const progress = await h.relinks.progress(started.workflowId);
    // The desk loan was noticed below the floor.
    expect(messages(progress)).toContainEqual(`Item ${B.floor} loaned to patron combo.floor at the desk by staff.`);
    // The next item's scan-in is a forward write: the floor refuses it before it reaches Alma, and the relink ends.
    expect(result).toBeInstanceOf(WorkflowFailedError);
    expect(String((result as WorkflowFailedError).cause?.message)).toMatch(/below the floor of 5000/);
    const scans = (barcode: string) =>
      h.sim.calls(mark).filter((c) => c.method === 'POST' && c.path.includes(`/items/${itemIds(barcode).itemPid}?`));
    expect(scans(B.floor).length).toBeGreaterThan(0); // the compensation's return
    expect(scans(B.floorNext)).toEqual([]);
    expect((result as WorkflowFailedError).cause).toMatchObject({ type: 'AlmaDailyLimit' });
    expect(itemOf(B.floorNext).item_data.process_type?.value).toBe('MISSING');
    // The compensation is exempt: the desk loan goes back under the holding address, then the restore.
    expect(progress.items.find((i) => i.barcode === B.floor)).toMatchObject({ phase: 'returned' });
    expect(loansOf('combo.floor').map((l) => l.loan_status)).toEqual(['COMPLETE']);
    expect(progress.contact).toMatchObject({ restored: true, verified: true });
    expect(userOf(h.sim.state(), 'combo.floor')).toEqual(before);
    expectNothingReachedThePatron(h, 'combo.floor', before);
  });

  it('at the holding-address limit it gives up on the item and restores; staff read not to loan it now', async () => {
    const before = userOf(h.sim.state(), 'combo.limit');
    const started = await h.relinks.start(relinkInput('combo.limit', [B.limit], { holdingAddressLimit: '4 seconds' }));
    const waiting = await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'staff-loan');
    expect(waiting.contact).toMatchObject({ swapped: true, restored: false });
    const result = await resultOf(started.workflowId);
    expect(result).toMatchObject({ outcome: 'needs-attention', emailRestored: true, emailVerified: true });
    expect(result.reason).toMatch(
      new RegExp(`No desk loan of ${B.limit} within 4 seconds \\(the holding-address limit\\): it stays scanned in`),
    );
    expect(result.items[0]).toMatchObject({ phase: 'failed' });
    expect(result.items[0]!.stateNow).toMatch(
      /^scanned in and not loaned: do not loan it to the patron at the desk now/,
    );
    const after = await h.relinks.progress(started.workflowId);
    expect(after.awaiting).toBe('none');
    expect(after.awaitingSteps ?? []).toEqual([]);
    expect(loansOf('combo.limit')).toEqual([]);
    expect(userOf(h.sim.state(), 'combo.limit')).toEqual(before);
    expectNothingReachedThePatron(h, 'combo.limit', before);
  });

  it('a desk loan made after the give-up is not the relink’s: the relink has ended and said not to make it', async () => {
    const before = userOf(h.sim.state(), 'combo.late');
    const started = await h.relinks.start(relinkInput('combo.late', [B.late], { holdingAddressLimit: '3 seconds' }));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'staff-loan');
    const result = await resultOf(started.workflowId);
    expect(result).toMatchObject({ outcome: 'needs-attention', emailRestored: true, emailVerified: true });
    const audit = result.audit.map((a) => a.message);

    // A staff member follows the old instructions too late: Alma makes the loan with the patron's own address back,
    // so its receipt goes to the patron. The relink had said not to, and it does not act on it any more.
    h.sim.loanAtDesk('combo.late', B.late);
    const after = await h.relinks.progress(started.workflowId);
    expect(after.awaiting).toBe('none');
    expect(after.items[0]!.stateNow).toMatch(/do not loan it to the patron at the desk now \(the patron would get/);
    expect(messages(after)).toEqual(audit);
    expect(lettersTo('combo.late', 'FulLoanReceiptLetter').map((n) => n.address)).toEqual(ownOf(before));
  });
});

/** The patron's own preferred email before the relink. */
const ownOf = (user: AnyRecord): string[] =>
  (user.contact_info?.email ?? []).filter((e: AnyRecord) => e.preferred).map((e: AnyRecord) => e.email_address);
