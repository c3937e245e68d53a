// The quiet period between a verified Lost and the restore (RELINK_RESTORE_AFTER). Alma announces the new lost-item
// fee by its Fines/Fees Notification job, which writes to the preferred email of the moment it runs: restored at once,
// the patron gets that letter. Here the holding address stays for a durable timer (a duration, or until the next
// HH:MM in the institution's time zone, after its nightly job), unless staff end it early (relink restore-now) or
// cancel the relink (the compensation then restores at once). Meanwhile the patron's own, unrelated letters go to the holding address too: the trade-off.
import { AFTER_FINES_JOB_LIMIT, isoSeconds, parseRestoreAfter } from '../contract';
import { rereadSwapInWait } from './contact-swap';
import { sayLettersGoThrough } from './holding-wait';
import { quietPeriodInstructions } from './instructions';
import { FINES_JOB_RUN_TIME, ONE_HOLDING_RULE, QUIET_PERIOD } from './patches';
import type { Relink } from './relink';

/**
 * Waits out the quiet period, if the relink has one. Returns false when a join arrived meanwhile: its items are
 * relinked and declared Lost first, and the quiet period begins again after their Lost (a new fee, a new letter).
 */
export async function quietPeriodBeforeRestore(r: Relink): Promise<boolean> {
  const setting = parseRestoreAfter(r.input.restoreAfter);
  // Relinks without a quiet period (the default) never ask the patch: their histories stay as before it.
  if (typeof setting === 'string' || setting.kind === 'at-once' || !r.patch(QUIET_PERIOD)) return true;
  const { track } = r;
  track.enter('quiet-period');
  let until: number;
  let when: string;
  const quietSince = Date.now();
  const byJob = setting.kind === 'after-fines-job';
  // A run counts by the time Alma's message gives, not by its arrival (a retried message may tell of a run before a Lost).
  if (byJob && r.patch(FINES_JOB_RUN_TIME)) r.finesJobByRunTime = true;
  if (setting.kind === 'duration' || setting.kind === 'after-fines-job') {
    until = Date.now() + (setting.kind === 'duration' ? setting.ms : setting.limitMs);
    when = byJob
      ? `until Alma reports its Fines/Fees Notification job has run, at most ${r.input.restoreAfter?.replace(/^after-fines-job\s*(up to\s*)?/i, '') || AFTER_FINES_JOB_LIMIT}`
      : `${r.input.restoreAfter} from now`;
    // Each Lost has its own end (holding-rule.ts): after a join that brought no new Lost (aborted at its review), the
    // quiet period ends when the earlier items' ends, not a full period later.
    const own = r.verdict();
    if (own.hold && own.until !== undefined && own.until < until && r.patch(ONE_HOLDING_RULE)) {
      until = own.until;
      when = `${r.input.restoreAfter} after the last Lost`;
    }
  } else {
    const end = await r.steps.quietPeriodEnd({ hour: setting.hour, minute: setting.minute });
    until = Date.parse(end.until);
    when = `${pad(setting.hour)}:${pad(setting.minute)} ${end.timeZone}`;
    for (const barcode of r.lives.keys()) r.lifeEvent(barcode, { type: 'quiet-until', until });
  }
  const untilIso = isoSeconds(until);
  track.await('quiet-period', quietPeriodInstructions(untilIso));
  track.log(
    `Quiet period before the restore until ${untilIso} (${when}, RELINK_RESTORE_AFTER): the letters Alma's jobs ` +
      "send about the new fee go to the holding address, and so do the patron's other letters meanwhile.",
  );
  // A cancel here ends the wait like any other (CancelledFailure): the compensation restores the patron at once.
  for (;;) {
    const remaining = until - Date.now();
    if (remaining <= 0) {
      track.log('Quiet period over: restoring the patron.');
      return true;
    }
    // Wake at least every lostPollMax to read the swap again: a SIS load that undid it would let the job's letter
    // through to the patron.
    // "after-fines-job": the first run Alma reports after the quiet period began ends it (each Lost was before it).
    const jobRan = () => byJob && r.finesJobRanSince(quietSince);
    await r.wait(
      () => r.restoreNowAsked || r.pendingBatches.length > 0 || jobRan(),
      Math.min(remaining, r.pollMaxMs),
      'quiet period before the restore',
    );
    if (jobRan() && !r.restoreNowAsked && r.pendingBatches.length === 0) {
      r.settleQuietByFinesJob();
      track.log(
        "Alma's Fines/Fees Notification job has run since the Lost: its letters went to the holding address; restoring the patron.",
      );
      return true;
    }
    if (r.restoreNowAsked) {
      track.log(`Quiet period ended early by staff${r.restoreNowBy ? ` (${r.restoreNowBy})` : ''}: restoring now.`);
      sayLettersGoThrough(r, 'restoring at staff request');
      return true;
    }
    if (r.pendingBatches.length > 0) {
      track.await('none');
      return false;
    }
    if (until - Date.now() > 0) await rereadSwapInWait(r, until);
  }
}

const pad = (n: number) => String(n).padStart(2, '0');
