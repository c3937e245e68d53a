// Before the restore, whatever ended the relink: the one rule (holding-rule.ts) may still hold the address for an
// item in its quiet period (a failure, a join's abort, a give-up that found a loan Lost). Then the relink waits for
// that end as the quiet period does, and staff may end it early (relink restore-now). A cancel is staff's explicit
// choice, and an item still on loan after a give-up cannot be waited for here: the restore goes ahead, and the audit
// names the letters that may now reach the patron.
import { isoSeconds, parseRestoreAfter } from '../contract';
import { rereadSwapInWait } from './contact-swap';
import { describeHold, describeLetters, lettersNowToPatron } from './holding-rule';
import { quietPeriodInstructions } from './instructions';
import { FINES_JOB_RUN_TIME, ONE_HOLDING_RULE } from './patches';
import type { Relink } from './relink';

export async function holdWhileTheRuleSays(r: Relink): Promise<void> {
  const { track } = r;
  const first = r.verdict();
  if (!first.hold) return;
  const waitable = first.until !== undefined && track.endedBy !== 'cancelled';
  if (!waitable || !r.patch(ONE_HOLDING_RULE)) return sayLettersGoThrough(r, 'restoring now');
  if (!Number.isFinite(first.until)) await settleQuietEnds(r);
  const setting = parseRestoreAfter(r.input.restoreAfter);
  if (typeof setting !== 'string' && setting.kind === 'after-fines-job' && r.patch(FINES_JOB_RUN_TIME)) {
    r.finesJobByRunTime = true;
  }
  track.enter('quiet-period');
  track.log(`The holding address stays before the restore: ${describeHold(first.reasons, isoSeconds)}.`);
  for (;;) {
    const verdict = r.verdict();
    if (!verdict.hold || verdict.until === undefined || !Number.isFinite(verdict.until)) break;
    const until = verdict.until;
    track.await('quiet-period', quietPeriodInstructions(isoSeconds(until)));
    // A run of the Fines/Fees Notification job Alma reports (after-fines-job) ends the quiet periods of the Lost before it.
    const runs = r.finesJobRuns.length;
    await r.wait(
      () => r.restoreNowAsked || r.finesJobRuns.length !== runs,
      Math.max(0, Math.min(until - Date.now(), r.pollMaxMs)),
      'quiet period',
    );
    if (r.finesJobRuns.length !== runs && r.settleQuietByFinesJob()) continue;
    if (r.restoreNowAsked) {
      track.log(`Quiet period ended early by staff${r.restoreNowBy ? ` (${r.restoreNowBy})` : ''}.`);
      break;
    }
    if (until > Date.now()) await rereadSwapInWait(r, until);
  }
  track.await('none');
  sayLettersGoThrough(r, 'restoring now');
}

/** The letters a restore now lets through to the patron, in the audit (none when the rule released the address). */
export function sayLettersGoThrough(r: Relink, what: string): void {
  const letters = lettersNowToPatron(r.lives, Date.now());
  if (letters.length === 0) return;
  r.track.log(
    `${what[0]!.toUpperCase()}${what.slice(1)}: these letters may now reach the patron: ${describeLetters(letters)}.`,
  );
}

/** A "next HH:MM" quiet period not begun yet: its end, in the institution's time zone, for the Lost items. */
async function settleQuietEnds(r: Relink): Promise<void> {
  const setting = parseRestoreAfter(r.input.restoreAfter);
  if (typeof setting === 'string' || setting.kind !== 'next') return;
  const end = await r.activities.compensation.quietPeriodEnd({ hour: setting.hour, minute: setting.minute });
  for (const barcode of r.lives.keys()) r.lifeEvent(barcode, { type: 'quiet-until', until: Date.parse(end.until) });
}
