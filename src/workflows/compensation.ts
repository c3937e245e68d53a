// The compensation and the end of a relink: after a give-up, the return of its loans while the holding address is
// still in place; the restore of the patron's contact details (registered before the swap, run in every outcome and
// beyond the reach of a cancel); the report of loans Alma made without answering; and the result or failure the
// relink closes with.
import { CancellationScope, isCancellation, ParentClosePolicy, sleep, startChild } from '@temporalio/workflow';
import {
  RelinkPatronId,
  restoreRecheckWorkflowId,
  type CheckedItem,
  type RelinkResult,
  type ReturnLoanResult,
} from '../contract';
import { ensureStillSwapped } from './contact-swap';
import {
  deskLoanFoundLog,
  dueDateBackLog,
  notLoanedState,
  returnedState,
  unansweredLoanLog,
  type OpenLoan,
} from './instructions';
import { almaIdsOf, causeOf, RelinkStop } from './outcomes';
import {
  HOLD_ON_REFUSED_RETURN,
  OUTCOME_SEARCH_ATTRIBUTE,
  RESTORE_RECHECK,
  RESTORE_REFUSED,
  RETURN_LOANS_ON_GIVE_UP,
} from './patches';
import { holdWhileReturnRefused, type RefusedReturn } from './refused-return';
import { holdWhileRestoreRefused, restoreRefusal } from './refused-restore';
import { holdWhileTheRuleSays } from './holding-wait';
import { keepLoans } from './kept-loans';
import { recheckRestore } from './recheck-restore';
import type { Relink } from './relink';

/** What the audit says when the swap never reached the record (the CLI and the desk say "never changed"). */
const NEVER_CHANGED =
  "The patron's email and SMS settings were never changed (the swap was not applied): nothing written.";

/** Puts the patron's email and SMS settings back; retried until Alma confirms it. */
export async function restore(r: Relink, why: string): Promise<void> {
  const { track } = r;
  track.enter('restore');
  track.log(`Restoring the patron's email and SMS settings (${why}).`);
  let refusedPause: number | undefined;
  for (;;) {
    try {
      // swapConfirmed and reportRefusal are activity input only, not commands: histories recorded before them replay
      // as they were.
      const result = await r.activities.compensation.restoreContact({
        patronId: r.patronId,
        plan: r.plan!,
        swapConfirmed: r.swapConfirmed,
        reportRefusal: true,
      });
      track.contact.lastRestoreError = undefined;
      if (track.awaiting === 'restore-refused') {
        track.await('none');
        track.log('Alma took the restore it had refused (or staff restored the record in Alma).');
      }
      if (result.neverChanged) {
        // The swap was refused or failed before Alma applied it: nothing to put back, and nothing was written.
        Object.assign(track.contact, { swapped: false, restored: false, verified: false });
        r.neverChanged = true;
        track.log(NEVER_CHANGED);
      } else if (result.verified) {
        Object.assign(track.contact, { swapped: false, restored: true, verified: true });
        track.log(
          result.written
            ? 'Original email and SMS settings restored and verified.'
            : 'Alma already showed the original email and SMS settings (verified).',
        );
      } else {
        Object.assign(track.contact, { swapped: false, restored: true, verified: false });
        // The holding entry is gone, but the record cannot honour the plan (staff changed it meanwhile): say what
        // staff should check rather than call it verified.
        r.restoreAttention =
          result.attention ?? "The record Alma answered does not show the patron's original settings.";
        track.log(`Holding address removed, but the restore needs a look: ${r.restoreAttention}`);
      }
      r.restoreOwed = false;
      r.swapped = false;
      return;
    } catch (err) {
      // A refusal Alma will repeat: staff see it and what to do in Alma, while the relink keeps trying.
      const refusal = restoreRefusal(err);
      if (refusal !== undefined && r.patch(RESTORE_REFUSED)) {
        refusedPause = await holdWhileRestoreRefused(r, refusal, refusedPause);
        continue;
      }
      // Unreachable with an unlimited retry policy, unless the activity is cut short by its timeouts: keep going.
      track.contact.lastRestoreError = err instanceof Error ? err.message : String(err);
      track.publish();
      await sleep('1 minute');
    }
  }
}

/** After a failure or a cancel: learn from Alma which loans the relink made but never heard back about. */
async function reportUnansweredLoans(r: Relink, returning = false): Promise<void> {
  const unsure = [...r.loanAttempted].filter((b) => !r.loans.has(b) && r.checked.has(b)).map((b) => r.checked.get(b)!);
  if (unsure.length === 0) return;
  for (const found of await r.activities.compensation.findLoans({ patronId: r.patronId, items: unsure })) {
    r.loans.set(found.barcode, { loanId: found.loanId, loanDate: found.loanDate });
    r.track.update(found.barcode, { phase: 'loaned', loanId: found.loanId });
    r.lifeEvent(found.barcode, { type: 'loaned' });
    // A desk loan (the API loan refused) is staff's, not a lost answer of the relink's own.
    const log = r.deskLoanAsked.has(found.barcode) ? deskLoanFoundLog : unansweredLoanLog;
    r.track.log(log(found.barcode, r.patronId, returning), { loanId: found.loanId });
  }
}

/**
 * After a cancel or a failure during the wait for a desk loan, once the compensation found no such loan: the item
 * stays scanned in and not loaned, and staff read so, as when they give it up (audit and item state only).
 */
function sayNotLoanedAtDesk(r: Relink): void {
  for (const barcode of r.deskLoanAsked) {
    const item = r.checked.get(barcode);
    if (!item || r.loans.has(barcode) || r.track.item(barcode).stateNow) continue;
    const stateNow = notLoanedState(item.processType);
    r.track.update(barcode, { stateNow });
    r.track.log(`${barcode}: ${stateNow}`);
  }
}

/**
 * After a give-up, before the restore: scans in each loan the relink made and did not see declared Lost, while the
 * holding address still receives any return letter, and records each item's state now. A loan Alma shows Lost stays
 * (the click the relink had not seen yet); loans staff chose to keep stay, as the audit says.
 */
async function returnLoans(r: Relink): Promise<void> {
  const { track } = r;
  r.loansReturnedAtEnd = true;
  const open = r.openLoans();
  if (open.length === 0) return;
  if (r.loanDecision?.decision === 'keep-loans') {
    await keepLoans(r, open);
    return;
  }
  if (!r.restoreOwed) {
    // Unreachable: a loan is only made under the swap. Without the holding address a return letter would reach the
    // patron, so the loans are left and staff told.
    for (const l of open) track.update(l.barcode, { stateNow: 'still on loan: the holding address was not in place.' });
    track.log(`Loans not returned (the holding address was not in place): ${open.map((l) => l.barcode).join(', ')}.`);
    return;
  }
  track.enter('return-loans');
  track.log(`Returning the loans before the restore: ${open.map((l) => l.barcode).join(', ')}.`);
  // The return may send a letter: make sure it reaches the holding address (a SIS load may have undone the swap).
  try {
    await ensureStillSwapped(r, r.activities.compensation);
  } catch (err) {
    track.log(`The swap could not be read again before the return: ${causeOf(err)}`);
  }
  const refused: RefusedReturn[] = [];
  for (const l of open) {
    const cause = await returnOne(r, l);
    if (cause !== undefined) refused.push({ ...l, cause });
  }
  // Restoring now would leave an active, non-lost loan with the patron's own address: wait for staff instead.
  if (refused.length > 0 && r.patch(HOLD_ON_REFUSED_RETURN)) {
    await holdWhileReturnRefused(r, refused, (l) => returnOne(r, l, false));
  }
}

/** Returns one loan and records the item's state now; answers the cause when Alma refuses the return. */
async function returnOne(r: Relink, l: OpenLoan, logRefusal = true): Promise<string | undefined> {
  const { track } = r;
  const item = r.checked.get(l.barcode)!;
  try {
    const result = await returnWithDueDateBack(r, l, item);
    const stateNow = returnedState(result, item.processType);
    r.lifeEvent(l.barcode, { type: 'due-date-back' });
    if (result.outcome === 'lost') {
      r.lostNow(l.barcode);
      track.update(l.barcode, {
        phase: 'lost-confirmed',
        lostConfirmed: true,
        lostConfirmedBy: 'loan-process-status',
        stateNow,
      });
    } else {
      r.lifeEvent(l.barcode, { type: 'returned' });
      track.update(l.barcode, { phase: 'returned', stateNow });
    }
    track.log(`${l.barcode}: ${stateNow}`, { loanId: l.loanId });
    return undefined;
  } catch (err) {
    // A business refusal (retryable errors are retried without end): say so, and what staff must do.
    const cause = causeOf(err);
    const stateNow =
      `still on loan to the patron: Alma refused the return (${cause}). ` +
      'In Alma, return it at Fulfillment > Return Items.';
    track.update(l.barcode, { stateNow });
    r.lifeEvent(l.barcode, { type: 'return-refused' });
    // The hold's retries keep the audit to its first refusal and the end.
    if (logRefusal) track.log(`${l.barcode}: ${stateNow}`, { loanId: l.loanId, ...almaIdsOf(err) });
    return cause;
  }
}

/**
 * The return, with a due date the overdue-job mode moved to now put back first, inside returnLoan (dueDateBefore): no
 * overdue fine. Relinks that reached their return on the release before that change ran setDueDate, then returnLoan,
 * with no patch id to tell them apart: they cannot replay here, and relink unstick resets them to their last workflow
 * task this code agrees with (docs/operations.md).
 */
async function returnWithDueDateBack(r: Relink, l: OpenLoan, item: CheckedItem): Promise<ReturnLoanResult> {
  const base = { patronId: r.patronId, item, loanId: l.loanId };
  if (!r.dueDateMoved.has(l.barcode)) return r.activities.compensation.returnLoan(base);
  const dueDateBefore = r.loans.get(l.barcode)?.dueDate;
  if (!dueDateBefore) r.track.log(dueDateUnknownLog(l.barcode), { loanId: l.loanId });
  const result = await r.activities.compensation.returnLoan({ ...base, ...(dueDateBefore ? { dueDateBefore } : {}) });
  if (result.dueDateBack)
    r.track.log(dueDateBackLog(l.barcode, result.dueDateBack, dueDateBefore!), { loanId: l.loanId });
  return result;
}

const dueDateUnknownLog = (barcode: string) =>
  `The due date of ${barcode} stays as the relink moved it (the loan's own due date is unknown): check Alma for an ` +
  'overdue fine after the return.';

/** Whether the relink returned its loans at the end (the failure message then gives each item's state now). */
export const loansReturned = (r: Relink): boolean => r.loansReturnedAtEnd;

/** Records how the run ended early: a stop (aborted, needs-attention) or a failure (returned, to be rethrown). */
export function stoppedBy(r: Relink, err: unknown): unknown {
  const { track } = r;
  if (err instanceof RelinkStop) {
    track.outcome = err.outcome;
    track.reason = err.reason;
    track.log(err.reason);
    return undefined;
  }
  track.reason = causeOf(err);
  track.endedBy = isCancellation(err) ? 'cancelled' : 'failed';
  track.log(isCancellation(err) ? 'The relink was cancelled.' : `Failed: ${track.reason}`, almaIdsOf(err));
  for (const item of track.items.values()) {
    if (!['loaned', 'lost-confirmed', 'aborted'].includes(item.phase)) item.phase = 'failed';
  }
  for (const barcode of r.lives.keys()) r.lifeEvent(barcode, { type: 'not-loaned' });
  return err;
}

/** The compensation: runs in every outcome, and a cancellation of the workflow cannot stop it. */
export async function finish(r: Relink): Promise<void> {
  r.closing = true;
  r.track.await('none');
  // A give-up after a loan: the loans go back before the restore (relinks started before the change skip this).
  const givenUp = r.lean && r.track.outcome !== 'completed';
  if (givenUp && r.loanAttempted.size > 0 && r.patch(RETURN_LOANS_ON_GIVE_UP)) {
    await CancellationScope.nonCancellable(async () => {
      try {
        await reportUnansweredLoans(r, true);
        await returnLoans(r);
      } catch (err) {
        // A refusal here (the daily quota, say) must never keep the restore below from running. No running relink
        // can be past this point on the old path: the failure and the end came in one workflow task, so no patch.
        r.track.log(`The loans could not all be returned before the restore: ${causeOf(err)}`, almaIdsOf(err));
      }
    });
  }
  sayNotLoanedAtDesk(r);
  if (r.restoreOwed) {
    // The one rule decides when: an item in its quiet period keeps the address whatever ended the relink.
    await CancellationScope.nonCancellable(() => holdWhileTheRuleSays(r));
    await CancellationScope.nonCancellable(() => restore(r, r.track.outcome ?? 'the relink ended early'));
  }
  if (r.restoreAttention) needsAttention(r, r.restoreAttention);
  if (r.swapAttempted && r.patch(RESTORE_RECHECK)) await CancellationScope.nonCancellable(() => startRecheck(r));
  // Relinks started before the change replay without this read (FEWER_ROUND_TRIPS gates the new commands).
  if (givenUp && !r.loansReturnedAtEnd) {
    await CancellationScope.nonCancellable(() => reportUnansweredLoans(r));
  }
  r.track.enter('done');
  // Written with RelinkStep in the one last upsert (a relink from before coalescing writes it on its own).
  if (r.patch(OUTCOME_SEARCH_ATTRIBUTE)) r.track.settle();
  r.track.publish();
}

export function resultOf(r: Relink): RelinkResult {
  const { track } = r;
  return {
    outcome: track.outcome!,
    ...(track.reason ? { reason: track.reason } : {}),
    items: track.snapshot().items,
    emailRestored: track.contact.restored,
    emailVerified: track.contact.verified,
    audit: track.audit,
  };
}

/** The loans made, as "barcode (loan id)", for a failure message. */
export function loanList(r: Relink): string[] {
  return [...r.loans.entries()].map(([b, l]) => {
    const now = r.track.item(b).stateNow;
    return `${b} (loan ${l.loanId})${now ? `: ${now}` : ''}`;
  });
}

/**
 * Starts the follow-up that reads the record again after RELINK_RESTORE_RECHECK, and does not wait for it: the
 * relink's outcome reaches staff now, and the follow-up outlives the relink (abandon).
 */
async function startRecheck(r: Relink): Promise<void> {
  const workflowId = restoreRecheckWorkflowId(r.workflowId);
  const after = r.durations.restoreRecheck;
  const plan = r.plan!;
  try {
    await startChild(recheckRestore, {
      workflowId,
      args: [
        { relinkWorkflowId: r.workflowId, patronId: r.patronId, plan, after, stepTimeout: r.durations.stepTimeout },
      ],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      typedSearchAttributes: [{ key: RelinkPatronId, value: r.patronId }],
    });
  } catch (err) {
    // An earlier relink's follow-up still open (its cancel not yet through): it reads the same record.
    r.track.log(`No re-check started: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  r.track.log(`The record will be read again in ${after} by ${workflowId}, which undoes any write Alma applies late.`, {
    recheckWorkflowId: workflowId,
  });
}

/** A restore that could not honour the plan turns a completed relink into needs-attention, and says so in any other. */
function needsAttention(r: Relink, attention: string): void {
  const { track } = r;
  if (track.outcome === 'completed') track.outcome = 'needs-attention';
  track.reason = track.reason ? `${track.reason} ${attention}` : attention;
}
