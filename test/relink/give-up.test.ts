// No loose ends after a give-up (issue 14 §3): past the Lost deadline the relink is overdue and keeps the holding
// address until its limit; a cancel, a failure or that limit returns the loans (scan in) while the holding address is
// in place, then restores; only a staff decision (keep-loans, audited) leaves a loan active and not lost.
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { HOLDING_EMAIL, fixturesWith, item, itemIds, patron, phone, email } from '../../src/alma-sim/builders';
import type { RelinkResult } from '../../src/contract';
import { relinkInput } from '../../src/dev/relink-input';
import {
  ownAddresses,
  recordHistory,
  refusingReturnsOf,
  startHarness,
  userOf,
  waitForProgress,
  type RelinkHarness,
} from '../support/relink-harness';

type AnyRecord = Record<string, any>;

const patrons = [
  'give.overdue',
  'give.limit',
  'give.cancel',
  'give.keep',
  'give.return',
  'give.fail',
  'give.seen',
  'give.refused',
  'give.refkeep',
  'give.deskret',
];
const barcodeOf = (patronId: string) => `4700000000${patrons.indexOf(patronId)}`;
const FAIL_SECOND = '47000000100';

const preferredEmail = (user: AnyRecord): string | undefined =>
  (user.contact_info?.email ?? []).find((e: AnyRecord) => e.preferred)?.email_address;

/** The relink's loan on the barcode, whatever its status now. */
const loanOn = (state: AnyRecord, patronId: string, barcode: string): AnyRecord | undefined =>
  state.loans.find((l: AnyRecord) => l.user_id === patronId && l.item_barcode === barcode);

const richPatron = (id: string) =>
  patron(id, { emails: [email(`${id}@example.edu`)], phones: [phone(`+1 555 01${patrons.indexOf(id)}`)] });

describe('no loose ends after a give-up', () => {
  let h: RelinkHarness;
  beforeAll(async () => {
    h = await startHarness(
      fixturesWith({
        users: patrons.map(richPatron),
        items: [...patrons.map((p) => item(barcodeOf(p))), item(FAIL_SECOND)],
      }),
    );
  });
  afterAll(async () => h?.close());

  /** The patron's record is back as it was, and no letter ever reached one of their own addresses. */
  async function expectPatronUntouched(patronId: string, before: AnyRecord) {
    const state = await h.sim.state();
    expect(userOf(state, patronId)).toEqual(before);
    const own = new Set(ownAddresses(before));
    const theirs = (await h.sim.notices()).filter((n) => n.user_id === patronId);
    expect(theirs.filter((n) => n.address && own.has(n.address))).toEqual([]);
  }

  /** The calls show the item scanned in (its return) before the patron's record was written back. */
  async function expectReturnedBeforeRestore(patronId: string, barcode: string) {
    const calls = await h.sim.calls();
    const pid = itemIds(barcode).itemPid;
    const scans = calls.filter(
      (c) => c.method === 'POST' && c.path.includes(`/items/${pid}?`) && /op=scan/.test(c.path),
    );
    const puts = calls.filter((c) => c.method === 'PUT' && c.path.startsWith(`/almaws/v1/users/${patronId}`));
    // The relink's scan-in before the loan, then the return; the swap's PUT, then the restore's.
    expect(scans).toHaveLength(2);
    expect(puts).toHaveLength(2);
    expect(scans[1]!.seq).toBeLessThan(puts[1]!.seq);
  }

  it('past the Lost deadline it is overdue, keeps the holding address, and a Lost click still finishes it', async () => {
    const before = userOf(await h.sim.state(), 'give.overdue');
    const started = await h.relinks.start(
      relinkInput('give.overdue', [barcodeOf('give.overdue')], {
        lostDeadline: '2 seconds',
        holdingAddressLimit: '1 hour',
      }),
    );
    const overdue = await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'overdue');
    expect(overdue.step).toBe('lost-declaration');
    expect(overdue.awaitingInstructions).toMatch(/Overdue: no Lost click was confirmed within 2 seconds/);
    expect(overdue.awaitingInstructions).toMatch(/relink cancel relink-give\.overdue --keep-loans/);
    expect(overdue.audit.map((a) => a.message).join('\n')).toMatch(/Overdue: .*holding address stays/);
    // Visible to admins too: the search attribute (and so relink list and the Web UI) says overdue.
    let listed: string[] = [];
    for (let i = 0; i < 50 && !listed.includes(started.workflowId); i++) {
      listed = (await h.relinks.list({ awaiting: 'overdue' })).map((r) => r.workflowId);
      if (!listed.includes(started.workflowId)) await new Promise((r) => setTimeout(r, 200));
    }
    expect(listed).toContain(started.workflowId);
    // The holding address is still the patron's only preferred email.
    expect(preferredEmail(userOf(await h.sim.state(), 'give.overdue'))).toBe(HOLDING_EMAIL);

    await h.sim.declareLost(overdue.items[0]!.loanId!);
    await h.relinks.confirmLost(started.workflowId);
    const result = (await h.temporal.client.workflow.getHandle(started.workflowId).result()) as RelinkResult;
    expect(result).toMatchObject({ outcome: 'completed', emailRestored: true, emailVerified: true });
    expect(loanOn(await h.sim.state(), 'give.overdue', barcodeOf('give.overdue'))).toMatchObject({
      loan_status: 'ACTIVE',
      process_status: 'LOST',
    });
    await expectPatronUntouched('give.overdue', before);
    await recordHistory(h, started.workflowId, 'give-up-overdue-then-lost');
  });

  it('at the holding-address limit it returns the loans itself, then restores, and says what staff should do', async () => {
    const before = userOf(await h.sim.state(), 'give.limit');
    const barcode = barcodeOf('give.limit');
    const started = await h.relinks.start(
      relinkInput('give.limit', [barcode], { lostDeadline: '2 seconds', holdingAddressLimit: '5 seconds' }),
    );
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'overdue');
    const result = (await h.temporal.client.workflow.getHandle(started.workflowId).result()) as RelinkResult;
    expect(result.outcome).toBe('needs-attention');
    expect(result.reason).toMatch(/within 5 seconds \(the holding-address limit\).*returned the loans/);
    expect(result).toMatchObject({ emailRestored: true, emailVerified: true });
    // The item was Missing before the relink: the API cannot set that back, and staff are told what to do.
    expect(result.items[0]).toMatchObject({ phase: 'returned', lostConfirmed: false });
    expect(result.items[0]!.stateNow).toMatch(/^returned; now in place.*Missing, which Alma's API cannot set back/);
    const state = await h.sim.state();
    expect(loanOn(state, 'give.limit', barcode)).toMatchObject({ loan_status: 'COMPLETE' });
    await expectReturnedBeforeRestore('give.limit', barcode);
    await expectPatronUntouched('give.limit', before);
    await recordHistory(h, started.workflowId, 'give-up-holding-limit-returned');
  });

  it('a cancel after the loan returns the loan while the holding address is in place, then restores', async () => {
    const before = userOf(await h.sim.state(), 'give.cancel');
    const barcode = barcodeOf('give.cancel');
    const started = await h.relinks.start(relinkInput('give.cancel', [barcode]));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');
    await h.relinks.cancel(started.workflowId);
    await expect(h.temporal.client.workflow.getHandle(started.workflowId).result()).rejects.toBeInstanceOf(
      WorkflowFailedError,
    );
    const progress = await h.relinks.progress(started.workflowId);
    expect(progress.items[0]).toMatchObject({ phase: 'returned', stateNow: expect.stringMatching(/^returned; now/) });
    expect(progress.audit.map((a) => a.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Returning the loans before the restore: 47/)]),
    );
    expect(loanOn(await h.sim.state(), 'give.cancel', barcode)).toMatchObject({ loan_status: 'COMPLETE' });
    // The return's letter (Alma's Return Receipt, where enabled) went to the holding address.
    const receipts = (await h.sim.notices()).filter(
      (n) => n.user_id === 'give.cancel' && n.letter === 'FulReturnReceiptLetter' && n.channel === 'email',
    );
    expect(receipts.map((n) => n.address)).toEqual([HOLDING_EMAIL]);
    await expectReturnedBeforeRestore('give.cancel', barcode);
    await expectPatronUntouched('give.cancel', before);
    await recordHistory(h, started.workflowId, 'give-up-cancelled-loans-returned');
  });

  it('keep-loans is an audited staff decision: the loan stays active and not lost, with a warning of what follows', async () => {
    const before = userOf(await h.sim.state(), 'give.keep');
    const barcode = barcodeOf('give.keep');
    const started = await h.relinks.start(
      relinkInput('give.keep', [barcode], { lostDeadline: '1 second', holdingAddressLimit: '1 hour' }),
    );
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'overdue');
    const warning = await h.relinks.keepLoans(started.workflowId, 'jdoe');
    expect(warning).toMatch(/Staff member jdoe chose to keep the loans of 47\d+ \(loan \d+\) active and not lost/);
    expect(warning).toMatch(/Alma sends the patron its letters about these loans/);
    const result = (await h.temporal.client.workflow.getHandle(started.workflowId).result()) as RelinkResult;
    expect(result).toMatchObject({ outcome: 'aborted', emailRestored: true, emailVerified: true });
    expect(result.reason).toMatch(/Staff member jdoe chose to keep the loans/);
    expect(result.items[0]!.stateNow).toMatch(/kept at a staff decision/);
    expect(loanOn(await h.sim.state(), 'give.keep', barcode)).toMatchObject({ loan_status: 'ACTIVE' });
    expect(loanOn(await h.sim.state(), 'give.keep', barcode)?.process_status).not.toBe('LOST');
    await expectPatronUntouched('give.keep', before);
    await recordHistory(h, started.workflowId, 'give-up-keep-loans');
    // A decision is refused once the relink has ended: there is nothing left to decide.
    await expect(h.relinks.returnLoans(started.workflowId, 'jdoe')).rejects.toThrow();
  });

  it('the return-loans decision (the desk page’s button) ends the Lost wait the same way as a cancel', async () => {
    const before = userOf(await h.sim.state(), 'give.return');
    const barcode = barcodeOf('give.return');
    const started = await h.relinks.start(relinkInput('give.return', [barcode]));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');
    await expect(h.relinks.returnLoans(started.workflowId, 'kim')).resolves.toMatch(/returns the loans/);
    const result = (await h.temporal.client.workflow.getHandle(started.workflowId).result()) as RelinkResult;
    expect(result.outcome).toBe('aborted');
    expect(result.reason).toMatch(/Staff member kim chose to return the loans/);
    expect(result.items[0]).toMatchObject({ phase: 'returned' });
    expect(loanOn(await h.sim.state(), 'give.return', barcode)).toMatchObject({ loan_status: 'COMPLETE' });
    await expectReturnedBeforeRestore('give.return', barcode);
    await expectPatronUntouched('give.return', before);
  });

  it('a failure after a loan returns that loan before the restore, and the failure says each item’s state now', async () => {
    const before = userOf(await h.sim.state(), 'give.fail');
    const first = barcodeOf('give.fail');
    await h.sim.setFaults({
      rules: [
        { method: 'POST', path: '/users/give\\.fail/loans', action: 'delay', delayMs: 0, times: 1 },
        {
          method: 'POST',
          path: '/users/give\\.fail/loans',
          action: 'error',
          status: 400,
          errorCode: '401651',
          times: 1,
        },
      ],
    });
    const started = await h.relinks.start(relinkInput('give.fail', [first, FAIL_SECOND]));
    let failure: ApplicationFailure | undefined;
    try {
      await h.temporal.client.workflow.getHandle(started.workflowId).result();
    } catch (err) {
      if (err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure) failure = err.cause;
    }
    await h.sim.setFaults({});
    expect(failure?.type).toBe('ItemNotLoanable');
    expect(failure?.message).toMatch(
      new RegExp(`Loans it had made, and their state now: ${first} \\(loan \\d+\\): returned`),
    );
    expect(failure?.message).not.toMatch(/Lost/);
    expect(loanOn(await h.sim.state(), 'give.fail', first)).toMatchObject({ loan_status: 'COMPLETE' });
    await expectReturnedBeforeRestore('give.fail', first);
    await expectPatronUntouched('give.fail', before);
    await recordHistory(h, started.workflowId, 'give-up-failed-loan-returned');
  });

  it('a Lost click the relink had not seen yet is not undone by the return: that loan stays Lost', async () => {
    const before = userOf(await h.sim.state(), 'give.seen');
    const barcode = barcodeOf('give.seen');
    const started = await h.relinks.start(relinkInput('give.seen', [barcode], { lostPollInitial: '1 hour' }));
    const waiting = await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');
    await h.sim.declareLost(waiting.items[0]!.loanId!); // clicked, but nobody ran confirm-lost
    await h.relinks.cancel(started.workflowId);
    await h.temporal.client.workflow
      .getHandle(started.workflowId)
      .result()
      .catch(() => undefined);
    const progress = await h.relinks.progress(started.workflowId);
    expect(progress.items[0]).toMatchObject({ phase: 'lost-confirmed', lostConfirmed: true });
    expect(loanOn(await h.sim.state(), 'give.seen', barcode)).toMatchObject({
      loan_status: 'ACTIVE',
      process_status: 'LOST',
    });
    await expectPatronUntouched('give.seen', before);
  });

  /** Cancels a relink waiting for the Lost click while Alma refuses the return: it holds the holding address. */
  async function cancelIntoRefusedReturn(patronId: string) {
    const barcode = barcodeOf(patronId);
    const started = await h.relinks.start(relinkInput(patronId, [barcode], { lostPollInitial: '1 second' }));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');
    await h.sim.setFaults(refusingReturnsOf(barcode));
    await h.relinks.cancel(started.workflowId);
    const held = await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'return-refused');
    // Several of the relink's own retries pass, and none of them restores with the loan active.
    await new Promise((r) => setTimeout(r, 3_000));
    const now = await h.relinks.progress(started.workflowId);
    expect(now.awaiting).toBe('return-refused');
    expect(preferredEmail(userOf(await h.sim.state(), patronId))).toBe(HOLDING_EMAIL);
    expect(loanOn(await h.sim.state(), patronId, barcode)).toMatchObject({ loan_status: 'ACTIVE' });
    return { workflowId: started.workflowId, barcode, held };
  }

  it('a return Alma refuses keeps the holding address until the loan is returned, then restores', async () => {
    const before = userOf(await h.sim.state(), 'give.refused');
    const { workflowId, barcode, held } = await cancelIntoRefusedReturn('give.refused');
    expect(held.awaitingInstructions).toMatch(/Alma refused to return 47\d+ .*Fulfillment > Return Items/);
    expect(held.awaitingInstructions).toMatch(/relink confirm-lost relink-give\.refused/);
    // A plain return-loans decision has nothing to add: the relink is already returning them.
    await expect(h.relinks.returnLoans(workflowId, 'kim')).rejects.toThrow(/already returning its loans/);
    // Whatever blocked the return is cleared; staff tell the relink, which tries again at once.
    await h.sim.setFaults({});
    await h.relinks.confirmLost(workflowId, undefined, 'kim');
    await expect(h.temporal.client.workflow.getHandle(workflowId).result()).rejects.toBeInstanceOf(WorkflowFailedError);
    const progress = await h.relinks.progress(workflowId);
    expect(progress.items[0]).toMatchObject({ phase: 'returned', stateNow: expect.stringMatching(/^returned; now/) });
    expect(progress.contact).toMatchObject({ restored: true, verified: true });
    expect(loanOn(await h.sim.state(), 'give.refused', barcode)).toMatchObject({ loan_status: 'COMPLETE' });
    await expectPatronUntouched('give.refused', before);
    await recordHistory(h, workflowId, 'give-up-return-refused-then-returned');
  });

  it('while a return is refused, a staff member returns the item in Alma: the relink reads it and restores', async () => {
    const before = userOf(await h.sim.state(), 'give.deskret');
    const { workflowId, barcode } = await cancelIntoRefusedReturn('give.deskret');
    // The API still refuses the scan-in; a staff member returns the item at the desk (Fulfillment > Return Items)
    // and tells nobody. The relink's next try reads the loan first, finds it returned, and restores.
    expect(h.sim.faults().rules).toHaveLength(1);
    h.sim.returnItem(barcode);
    await expect(h.temporal.client.workflow.getHandle(workflowId).result()).rejects.toBeInstanceOf(WorkflowFailedError);
    const progress = await h.relinks.progress(workflowId);
    expect(progress.items[0]).toMatchObject({ phase: 'returned' });
    expect(progress.contact).toMatchObject({ restored: true, verified: true });
    expect(loanOn(await h.sim.state(), 'give.deskret', barcode)).toMatchObject({ loan_status: 'COMPLETE' });
    // The desk's return receipt went out while the holding address was still in place.
    const letters = h.sim.notices().filter((n) => n.user_id === 'give.deskret' && n.channel === 'email');
    expect(letters.find((n) => n.letter === 'FulReturnReceiptLetter')).toMatchObject({ address: HOLDING_EMAIL });
    expect(new Set(letters.map((n) => n.address))).toEqual(new Set([HOLDING_EMAIL]));
    // The API's scan-in was never let through: the return was the staff member's.
    const scans = h.sim.calls().filter((c) => c.path.includes(`${itemIds(barcode).itemPid}?op=scan`));
    expect(scans.filter((c) => c.status === 200)).toHaveLength(1);
    expect(scans.filter((c) => c.status === 400).length).toBeGreaterThanOrEqual(1);
    await expectPatronUntouched('give.deskret', before);
  });

  it('while a return is refused, keep-loans is the one staff decision that restores with the loan active', async () => {
    const before = userOf(await h.sim.state(), 'give.refkeep');
    const { workflowId, barcode } = await cancelIntoRefusedReturn('give.refkeep');
    const warning = await h.relinks.keepLoans(workflowId, 'jdoe');
    expect(warning).toMatch(/Staff member jdoe chose to keep the loans of 47\d+ \(loan \d+\) active and not lost/);
    await h.temporal.client.workflow
      .getHandle(workflowId)
      .result()
      .catch(() => undefined);
    await h.sim.setFaults({});
    const progress = await h.relinks.progress(workflowId);
    expect(progress.items[0]!.stateNow).toMatch(/kept at a staff decision/);
    expect(progress.contact).toMatchObject({ restored: true, verified: true });
    expect(loanOn(await h.sim.state(), 'give.refkeep', barcode)).toMatchObject({ loan_status: 'ACTIVE' });
    await expectPatronUntouched('give.refkeep', before);
  });
});
