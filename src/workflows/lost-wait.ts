// The wait for the staff Lost click: Alma has no API to declare a loan lost, so the relink shows staff what to click,
// checks Alma when they say they did and by itself with a growing pause, and relinks barcodes joined meanwhile.
// Past the Lost deadline it is overdue: the holding address stays and it waits on for the click or a staff decision
// on the loans (loanDecision), until the holding-address limit, where it gives up and the compensation returns them.
import { ActivityFailure, allHandlersFinished, TimeoutFailure } from '@temporalio/workflow';
import type { LostCheck } from '../contract';
import { rereadSwapInWait } from './contact-swap';
import { RelinkStop } from './outcomes';
import { COUNT_LOST_SIGNALS, LOST_CHECK_RIDES_OUT_OUTAGES, OVERDUE_AT_LOST_DEADLINE } from './patches';
import {
  holdingLimitReason,
  keepLoansWarning,
  lostConfirmedLog,
  lostDeadlineReason,
  lostInstructions,
  overdueInstructions,
  overdueLog,
  returnDecisionReason,
  type OpenLoan,
} from './instructions';
import type { Relink } from './relink';
import { lostWaitSummary } from './summaries';

export async function awaitLostDeclarations(r: Relink): Promise<void> {
  const { track } = r;
  // In the overdue-job mode the Lost wait began with the wait for Alma's job: its deadlines count from then.
  const waitStarted = r.lostWaitSince ?? Date.now();
  const deadline = waitStarted + r.lostDeadlineMs;
  /** Set when the relink becomes overdue: when it stops waiting and returns the loans itself. */
  let limit: number | undefined;
  let pause = r.pollInitialMs;
  let polls = 0;
  for (;;) {
    if (await r.relinkJoined()) continue;
    const open = r.openLoans();
    if (open.length === 0) {
      // Let a join that is still being checked land before the relink closes.
      await r.wait(allHandlersFinished);
      if (r.pendingBatches.length === 0) return;
      continue;
    }
    track.enter('lost-declaration');
    if (limit === undefined) {
      track.await(
        'lost-declaration',
        lostInstructions(open, r.patronId, r.durations.lostDeadline, r.input.webhooks === true),
      );
      if (Date.now() >= deadline) {
        // Relinks started before the change restore here with the loans active and not lost.
        if (!r.patch(OVERDUE_AT_LOST_DEADLINE)) {
          throw new RelinkStop('needs-attention', lostDeadlineReason(r.durations.lostDeadline, open));
        }
        limit = Math.max(deadline, waitStarted + r.holdingLimitMs);
        track.log(overdueLog(r.durations.lostDeadline, new Date(limit)));
      }
    }
    if (limit !== undefined) {
      const limitAt = new Date(limit);
      track.await('overdue', overdueInstructions(open, r.patronId, r.durations.lostDeadline, limitAt));
      if (Date.now() >= limit)
        throw new RelinkStop('needs-attention', holdingLimitReason(r.durations.holdingAddressLimit, open));
    }
    if (r.loanDecision) throw decisionStop(r, open);
    const until = limit ?? deadline;
    const remaining = until - Date.now();
    // Signals are counted, not compared with a reading taken after the last check: one that arrives while Alma is
    // being checked wakes the next wait at once.
    if (r.lostSignals !== r.lostSignalsSeen && !r.patch(COUNT_LOST_SIGNALS)) r.lostSignalsSeen = r.lostSignals;
    const signalled = () => r.lostSignals !== r.lostSignalsSeen;
    polls++;
    const woken = () => signalled() || r.pendingBatches.length > 0 || r.loanDecision !== undefined;
    await r.wait(woken, Math.min(pause, remaining), lostWaitSummary(polls));
    if (r.loanDecision) throw decisionStop(r, open);
    if (r.pendingBatches.length > 0) continue;
    const byStaff = signalled();
    r.lostSignalsSeen = r.lostSignals;
    // The swap's re-read at a poll rides out an outage to the deadline, like the check itself.
    await rereadSwapInWait(r, until, r.activities.lostCheckUntil(Math.max(until - Date.now(), r.stepTimeoutMs)));
    const confirmedNow = await checkLost(r, open, until, limit !== undefined);
    if (byStaff && confirmedNow === 0) track.log('Alma does not show the Lost click yet; checking again shortly.');
    pause = byStaff ? r.pollInitialMs : Math.min(pause * 2, r.pollMaxMs);
  }
}

/** A staff decision on the loans ends the wait: the compensation returns them, or leaves them as staff chose. */
function decisionStop(r: Relink, open: OpenLoan[]): RelinkStop {
  const d = r.loanDecision!;
  return new RelinkStop(
    'aborted',
    d.decision === 'keep-loans'
      ? keepLoansWarning(open, d.by, r.dueDatesMovedOf(open))
      : returnDecisionReason(open, d.by),
  );
}

/** Asks Alma whether the open loans are Lost now; returns how many were newly confirmed. */
export async function checkLost(r: Relink, open: OpenLoan[], deadline: number, overdue: boolean): Promise<number> {
  const loans = open.map(({ barcode, loanId }) => ({ barcode, loanId, loanDate: r.loans.get(barcode)?.loanDate }));
  const input = { patronId: r.patronId, loans };
  let checks: LostCheck[];
  if (!r.patch(LOST_CHECK_RIDES_OUT_OUTAGES)) {
    checks = await r.steps.checkLostDeclared(input);
  } else {
    try {
      checks = await r.activities
        .lostCheckUntil(Math.max(deadline - Date.now(), r.stepTimeoutMs))
        .checkLostDeclared(input);
    } catch (err) {
      if (!isTimeout(err)) throw err;
      const why = 'Alma did not answer the last check before the deadline.';
      if (overdue)
        throw new RelinkStop('needs-attention', `${holdingLimitReason(r.durations.holdingAddressLimit, open)} ${why}`);
      // An outage across the Lost deadline: the relink becomes overdue and keeps checking (relinks started before
      // the change end here).
      if (!r.patch(OVERDUE_AT_LOST_DEADLINE)) {
        throw new RelinkStop('needs-attention', `${lostDeadlineReason(r.durations.lostDeadline, open)} ${why}`);
      }
      return 0;
    }
  }
  let confirmedNow = 0;
  for (const check of checks) {
    if (!check.loanActive) {
      throw new RelinkStop(
        'needs-attention',
        `The loan ${check.loanId} of ${check.barcode} is no longer active in Alma (returned instead of declared lost?).`,
      );
    }
    if (!check.lost) continue;
    confirmedNow++;
    r.track.update(check.barcode, { phase: 'lost-confirmed', lostConfirmed: true, lostConfirmedBy: check.by });
    r.lostNow(check.barcode);
    r.track.log(lostConfirmedLog(check), { loanId: check.loanId });
  }
  return confirmedNow;
}

const isTimeout = (err: unknown) => err instanceof ActivityFailure && err.cause instanceof TimeoutFailure;
