// The wait for the staff Lost click: Alma has no API to declare a loan lost, so the relink shows staff what to click,
// checks Alma when they say they did and by itself with a growing pause, and relinks barcodes joined meanwhile.
import { ActivityFailure, allHandlersFinished, TimeoutFailure } from '@temporalio/workflow';
import type { LostCheck } from '../contract';
import { ensureStillSwapped } from './contact-swap';
import { RelinkStop } from './outcomes';
import { COUNT_LOST_SIGNALS, LOST_CHECK_RIDES_OUT_OUTAGES } from './patches';
import { lostConfirmedLog, lostDeadlineReason, lostInstructions, type OpenLoan } from './instructions';
import type { Relink } from './relink';
import { lostWaitSummary } from './summaries';

export async function awaitLostDeclarations(r: Relink): Promise<void> {
  const { track } = r;
  const deadline = Date.now() + r.lostDeadlineMs;
  let pause = r.pollInitialMs;
  let polls = 0;
  for (;;) {
    if (r.pendingBatches.length > 0) {
      track.await('none');
      await r.relinkBatch(r.pendingBatches.shift()!);
      continue;
    }
    const open = r.openLoans();
    if (open.length === 0) {
      // Let a join that is still being checked land before the relink closes.
      await r.wait(allHandlersFinished);
      if (r.pendingBatches.length === 0) return;
      continue;
    }
    track.enter('lost-declaration');
    track.await('lost-declaration', lostInstructions(open, r.patronId, r.workflowId, r.durations.lostDeadline));
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new RelinkStop('needs-attention', lostDeadlineReason(r.durations.lostDeadline, open));
    // Signals are counted, not compared with a reading taken after the last check: one that arrives while Alma is
    // being checked wakes the next wait at once.
    if (r.lostSignals !== r.lostSignalsSeen && !r.patch(COUNT_LOST_SIGNALS)) r.lostSignalsSeen = r.lostSignals;
    const signalled = () => r.lostSignals !== r.lostSignalsSeen;
    polls++;
    await r.wait(() => signalled() || r.pendingBatches.length > 0, Math.min(pause, remaining), lostWaitSummary(polls));
    if (r.pendingBatches.length > 0) continue;
    const byStaff = signalled();
    r.lostSignalsSeen = r.lostSignals;
    // The swap's re-read at a poll rides out an outage to the Lost deadline, like the check itself.
    await ensureStillSwapped(r, r.activities.lostCheckUntil(Math.max(deadline - Date.now(), r.stepTimeoutMs)));
    const confirmedNow = await checkLost(r, open, deadline);
    if (byStaff && confirmedNow === 0) track.log('Alma does not show the Lost click yet; checking again shortly.');
    pause = byStaff ? r.pollInitialMs : Math.min(pause * 2, r.pollMaxMs);
  }
}

/** Asks Alma whether the open loans are Lost now; returns how many were newly confirmed. */
async function checkLost(r: Relink, open: OpenLoan[], deadline: number): Promise<number> {
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
      const reason = lostDeadlineReason(r.durations.lostDeadline, open);
      throw new RelinkStop('needs-attention', `${reason} Alma did not answer the last check before the deadline.`);
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
    r.track.log(lostConfirmedLog(check), { loanId: check.loanId });
  }
  return confirmedNow;
}

const isTimeout = (err: unknown) => err instanceof ActivityFailure && err.cause instanceof TimeoutFailure;
