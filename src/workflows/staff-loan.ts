// When Alma refuses the API loan where a staff override gets past it (a loan policy restricted to the API, a patron's
// loan or fine limit computed at the loan), the item is already scanned in: Alma cleared its Missing or Lost status,
// and the API cannot set it back. Staff can loan it at the desk with an override, so the relink keeps the holding
// address (the desk loan's receipt must go there) and waits for that loan: it notices it by reading the patron's loans
// with a growing pause, and at once when staff say so; or staff give up on the item. The holding-address limit bounds
// the wait, as it bounds the Lost wait.
import { ActivityFailure, isCancellation, TimeoutFailure } from '@temporalio/workflow';
import type { CheckedItem, FoundLoan } from '../contract';
import { rereadSwapInWait } from './contact-swap';
import { notLoanedState, staffLoanInstructions, staffLoanLog } from './instructions';
import { RelinkStop } from './outcomes';
import type { Relink } from './relink';

/** How the wait for the desk loan ended: the loan Alma shows, or the item given up (by staff, or at the limit). */
export type StaffLoanEnd = { loan: FoundLoan } | { givenUp: 'by-staff' | 'at-limit' };

export async function awaitStaffLoan(r: Relink, item: CheckedItem, cause: string): Promise<StaffLoanEnd> {
  const { track } = r;
  const { barcode } = item;
  r.lifeEvent(barcode, { type: 'loan-refused' });
  r.deskLoanAsked.add(barcode);
  track.update(barcode, { phase: 'awaiting-staff-loan' });
  track.log(staffLoanLog(barcode, cause));
  const limit = Date.now() + r.holdingLimitMs;
  const until = new Date(limit).toISOString();
  let pause = r.pollInitialMs;
  r.decision = undefined;
  for (;;) {
    track.await('staff-loan', staffLoanInstructions(item, r.patronId, cause, until));
    // Counted here, not through lostSignalsSeen: a Lost click reported for another item meanwhile still wakes the
    // Lost wait at once when this one ends.
    const signals = r.lostSignals;
    const told = () => r.lostSignals !== signals || r.decision !== undefined;
    await r.wait(told, Math.max(0, Math.min(pause, limit - Date.now())), 'waiting for staff to loan the item');
    const byStaff = told();
    const decision = r.takeDecision();
    const giveUp = decision?.decision === 'abort';
    if (decision) {
      const by = decision.by ? ` (${decision.by})` : '';
      track.log(`Staff chose to ${giveUp ? 'give up on' : 'check now for'} the desk loan of ${barcode}${by}.`);
    }
    // A SIS load may have undone the swap meanwhile: the desk loan's receipt must still reach the holding address.
    await rereadSwapInWait(r, limit);
    const found = await loanAtDesk(r, item, limit);
    if (found) {
      track.await('none');
      return { loan: found };
    }
    if (giveUp || Date.now() >= limit) {
      track.await('none');
      r.lifeEvent(barcode, { type: 'not-loaned' });
      track.update(barcode, { phase: giveUp ? 'aborted' : 'failed', stateNow: notLoanedState(item.processType) });
      return { givenUp: giveUp ? 'by-staff' : 'at-limit' };
    }
    if (byStaff) track.log(`Alma shows no loan of ${barcode} to patron ${r.patronId} yet; checking again shortly.`);
    pause = byStaff ? r.pollInitialMs : Math.min(pause * 2, r.pollMaxMs);
  }
}

/**
 * The loan staff made at the desk, if Alma shows one. A read that Alma does not answer before the limit ends the wait
 * without knowing: rethrown, the relink gives up, and its compensation finds and returns any such loan before the
 * restore (loanAttempted holds the item).
 */
async function loanAtDesk(r: Relink, item: CheckedItem, limit: number): Promise<FoundLoan | undefined> {
  const steps = r.activities.lostCheckUntil(Math.max(limit - Date.now(), r.stepTimeoutMs));
  try {
    const [found] = await steps.findLoans({ patronId: r.patronId, items: [item] });
    return found;
  } catch (err) {
    if (isCancellation(err) || !(err instanceof ActivityFailure && err.cause instanceof TimeoutFailure)) throw err;
    throw new RelinkStop(
      'needs-attention',
      `Alma did not answer the read of patron ${r.patronId}'s loans before the holding-address limit, while the ` +
        `relink waited for the desk loan of ${item.barcode}.`,
    );
  }
}
