// RELINK_LOST_MODE=overdue-job: Lost without a click. After the loan the relink moves its due date to the earliest Alma
// accepts (a date in the past is refused, 401681), waits durably past the first run of Alma's Overdue and Lost Loan job
// at which the loan is overdue past the profile's lost threshold, and checks Alma. Lost: the normal finish (quiet
// period, restore). Not Lost: the staff click after all, with the Lost wait's instructions, deadline and overdue rules
// counted from the start of this wait. Staff may click Lost meanwhile; joined barcodes are relinked and moved too.
import { ActivityFailure } from '@temporalio/workflow';
import {
  DEFAULT_DUE_DATE_LEAD,
  isoSeconds as iso,
  parseLostJobAt,
  type LostJobAt,
  type SetDueDateResult,
} from '../contract';
import { rereadSwapInWait } from './contact-swap';
import { lostJobInstructions } from './instructions';
import { checkLost } from './lost-wait';
import { almaIdsOf, causeOf, ms } from './outcomes';
import { LOST_BY_OVERDUE_JOB, LOST_JOB_WITHIN_LIMIT } from './patches';
import type { Relink } from './relink';

export async function lostByOverdueJob(r: Relink): Promise<void> {
  if (r.input.lostMode !== 'overdue-job' || !r.patch(LOST_BY_OVERDUE_JOB)) return;
  const { track } = r;
  const since = (r.lostWaitSince ??= Date.now());
  // Validated at the start (relinkInputProblems): a schedule and a threshold.
  const jobAt = parseLostJobAt(r.input.lostJobAt) as LostJobAt;
  const thresholdMs = ms(r.input.lostAfterOverdue!);
  const leadMs = ms(r.input.dueDateLead ?? DEFAULT_DUE_DATE_LEAD);
  /** When the job has run for every loan moved so far, with a grace for its letters. */
  let until = 0;
  /** The holding-address limit: no wait for the job goes past it, whatever joins arrive. */
  const limitAt = since + r.holdingLimitMs;
  /** Joined loans the job could not declare Lost before the limit: their due dates stay; the staff click instead. */
  const byClick = new Set<string>();
  for (;;) {
    if (await r.relinkJoined()) continue;
    const open = r.openLoans();
    if (open.length === 0) return;
    track.enter('lost-declaration');
    const unmoved = open.filter((l) => !r.dueDateMoved.has(l.barcode) && !byClick.has(l.barcode));
    if (unmoved.length > 0 && r.patch(LOST_JOB_WITHIN_LIMIT)) {
      const runAt = await expectedJobRun(r, Date.now() + leadMs + thresholdMs, jobAt);
      if (runAt + r.pollInitialMs > limitAt) {
        for (const l of unmoved) byClick.add(l.barcode);
        track.log(
          `Alma's Overdue and Lost Loan job could not declare ${unmoved.map((l) => l.barcode).join(', ')} Lost before ` +
            `the holding-address limit (${iso(limitAt)}): their due dates stay as they are, and staff click Lost for ` +
            'them in Alma instead.',
        );
        continue;
      }
    }
    if (unmoved.length > 0) {
      // The date is set in the activity, at the moment of the call; the latest one sets when the job can act.
      let dueBy = 0;
      for (const l of unmoved) {
        let moved: SetDueDateResult;
        try {
          moved = await r.steps.setDueDate({
            patronId: r.patronId,
            loanId: l.loanId,
            barcode: l.barcode,
            dueInMs: leadMs,
            only: 'earlier',
          });
        } catch (err) {
          // Alma refused the change (401681 with a skewed clock, a loan policy that forbids it): the staff click.
          if (!(err instanceof ActivityFailure)) throw err;
          r.dueDateMoved.add(l.barcode); // its due date may have been written before the answer was lost
          r.lifeEvent(l.barcode, { type: 'due-date-moved' });
          track.log(
            `Alma refused to change the due date of ${l.barcode} (${causeOf(err)}): asking staff for the Lost click instead.`,
            { loanId: l.loanId, ...almaIdsOf(err) },
          );
          return;
        }
        r.dueDateMoved.add(l.barcode);
        r.lifeEvent(l.barcode, { type: 'due-date-moved' });
        if (moved.dueDate) dueBy = Math.max(dueBy, Date.parse(moved.dueDate));
        track.log(
          moved.outcome === 'changed' || moved.outcome === 'unchanged'
            ? `Due date of ${l.barcode} set to ${moved.dueDate} (notify_user=false), for Alma's Overdue and Lost Loan job.`
            : `Due date of ${l.barcode} left as it is: Alma shows the loan ${moved.outcome === 'lost' ? 'Lost' : 'closed'}.`,
          { loanId: l.loanId },
        );
      }
      const dueDate = iso(dueBy || Date.now() + leadMs);
      const lostAt = Date.parse(dueDate) + thresholdMs;
      const runAt = await expectedJobRun(r, lostAt, jobAt);
      until = Math.max(until, runAt + r.pollInitialMs);
      // Relinks from before the bound: a join could push the wait past the holding-address limit.
      if (until > limitAt && r.patch(LOST_JOB_WITHIN_LIMIT)) until = limitAt;
      track.log(
        `Waiting for Alma's Overdue and Lost Loan job: the loans are overdue past its lost threshold ` +
          `(${r.input.lostAfterOverdue}) at ${iso(lostAt)}; its run after that is expected by ${iso(runAt)}, and the ` +
          `relink checks Alma ${until > Date.now() ? `at ${iso(until)}` : 'now'}.`,
      );
    }
    track.await('lost-job', lostJobInstructions(open, r.patronId, iso(Math.max(until, Date.now()))));
    const remaining = until - Date.now();
    if (remaining <= 0) break;
    const signals = r.lostSignals;
    // Wake at least every lostPollMax to read the swap again: the job's letters must reach the holding address.
    await r.wait(
      () => r.lostSignals !== signals || r.pendingBatches.length > 0 || r.loanDecision !== undefined,
      Math.min(remaining, r.pollMaxMs),
      "waiting for Alma's Overdue and Lost Loan job",
    );
    // A staff decision on the loans is taken by the Lost wait, which ends the relink with it.
    if (r.loanDecision) return;
    if (r.pendingBatches.length > 0) continue;
    await rereadSwapInWait(r, until);
    if (r.lostSignals !== signals) {
      // Staff clicked Lost anyway: check now.
      r.lostSignalsSeen = r.lostSignals;
      await checkLost(r, open, Date.now() + r.lostDeadlineMs, false);
    }
  }
  const open = r.openLoans();
  await rereadSwapInWait(r, until);
  await checkLost(r, open, Date.now() + r.lostDeadlineMs, false);
  const left = r.openLoans();
  if (left.length > 0) {
    track.log(
      `Alma's Overdue and Lost Loan job has not declared ${left.map((l) => l.barcode).join(', ')} Lost by ` +
        `${iso(until)}: asking staff for the Lost click instead.`,
    );
  }
}

/** When Alma's job, run daily at HH:MM or a duration after the change, first sees a loan overdue past `lostAt`. */
async function expectedJobRun(r: Relink, lostAt: number, jobAt: LostJobAt): Promise<number> {
  if (jobAt.kind !== 'next') return Math.max(lostAt, Date.now() + jobAt.ms);
  const end = await r.steps.quietPeriodEnd({ hour: jobAt.hour, minute: jobAt.minute, after: iso(lostAt) });
  return Date.parse(end.until);
}
