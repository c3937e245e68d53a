// The contact swap: the holding address becomes the patron's only preferred email and SMS goes off, so the letters
// of the scan-in, the loan and the Lost click reach the library. The restore is owed from before the swap is sent,
// and the swap is checked again before every write that sends a letter and at each Lost poll.
import { getExternalWorkflowHandle, isCancellation, sleep } from '@temporalio/workflow';
import {
  restoreRecheckWorkflowId,
  sweepRestoreWorkflowId,
  sweepStillRunningSignal,
  type RelinkActivities,
} from '../contract';
import { causeOf, failureType } from './outcomes';
import { AWAIT_SWEEP_RESTORE, RECHECK_SWAP, SUPERSEDE_RECHECK, WAITS_OUTLAST_REREADS } from './patches';
import { swapLog } from './instructions';
import type { Relink } from './relink';

export async function ensureSwapped(r: Relink): Promise<void> {
  if (r.swapped) return;
  r.track.enter('email-swap');
  for (let attempt = 1; ; attempt++) {
    // The sweep may write the record until it ends: the plan read before it is not the record the swap will meet.
    if (!r.swapAttempted && r.patch(AWAIT_SWEEP_RESTORE) && (await awaitSweepRestore(r))) r.planFresh = false;
    if (!r.plan || !r.planFresh) {
      r.plan = (await r.preflight([])).contactPlan;
      r.planFresh = true;
    }
    if (!r.swapAttempted && r.patch(SUPERSEDE_RECHECK)) await supersedeRecheck(r);
    r.restoreOwed = true; // the restore is registered before the swap, so a crash mid-swap is still undone
    r.swapAttempted = true;
    try {
      const result = await r.steps.swapContact({
        patronId: r.patronId,
        workflowId: r.workflowId,
        plan: r.plan!,
      });
      r.swapped = true;
      r.swapVerifiedAt = Date.now();
      const { suppressedEmail, suppressedSmsPhones } = result;
      Object.assign(r.track.contact, { swapped: true, restored: false, verified: false });
      Object.assign(r.track.contact, { suppressedEmail, suppressedSmsPhones });
      r.track.log(swapLog(result));
      return;
    } catch (err) {
      if (failureType(err) !== 'ContactChanged' || attempt >= 3) throw err;
      r.track.log("The patron's contact details changed since they were read; reading them again.");
      r.planFresh = false;
    }
  }
}

/**
 * Before a write that sends a letter, and at each Lost poll: a SIS load or a staff edit since the swap (another email
 * preferred, SMS back on, the holding entry deleted) would send that letter to the patron. One read; the swap is made
 * again if it was undone. A swap verified moments ago needs no read.
 */
export async function ensureStillSwapped(
  r: Relink,
  via: Pick<RelinkActivities, 'recheckSwap'> = r.steps,
  force = false,
): Promise<void> {
  if (!r.swapped || (!force && Date.now() - r.swapVerifiedAt < SWAP_TRUSTED_FOR_MS)) return;
  if (!r.patch(RECHECK_SWAP)) return;
  const result = await via.recheckSwap({ patronId: r.patronId, workflowId: r.workflowId, plan: r.plan! });
  r.swapVerifiedAt = Date.now();
  if (result.reswapped) r.track.log(`The swap had been undone in Alma, and was made again: ${result.what}`);
}

/**
 * The swap's re-read inside a wait (the Lost wait, the quiet period, the wait for Alma's job): it retries whatever the
 * error until the wait's end (`until`), goes out below the quota floor like the restore (it protects the swap), and
 * never ends the wait: a re-read that could not be made is logged and made again at the next poll. `legacy` is how
 * the wait read the swap before (its relinks replay on it).
 */
export async function rereadSwapInWait(
  r: Relink,
  until: number,
  legacy: Pick<RelinkActivities, 'recheckSwap'> = r.steps,
): Promise<void> {
  if (!r.swapped || Date.now() - r.swapVerifiedAt < SWAP_TRUSTED_FOR_MS) return;
  if (!r.patch(WAITS_OUTLAST_REREADS)) return ensureStillSwapped(r, legacy);
  try {
    await ensureStillSwapped(r, r.activities.lostCheckUntil(Math.max(until - Date.now(), r.stepTimeoutMs)));
  } catch (err) {
    if (isCancellation(err)) throw err;
    r.track.log(`The swap could not be read again (${causeOf(err)}); the wait goes on and reads it at its next poll.`);
  }
}

/**
 * Alma reported a change to the patron's record (a webhook: a SIS load, a staff edit; never the relink's own writes):
 * the swap is read now, whatever its age, and made again if the change undid it. Retried until `until` (the wait's
 * end), below the quota floor too, and never ends the wait: a read that could not be made is logged.
 */
export async function rereadReportedChange(r: Relink, until?: number): Promise<void> {
  r.userEventsSeen = r.userEvents;
  if (!r.swapped) return;
  const within = Math.max((until ?? Date.now()) - Date.now(), r.stepTimeoutMs);
  try {
    await ensureStillSwapped(r, r.activities.lostCheckUntil(within), true);
  } catch (err) {
    if (isCancellation(err)) throw err;
    r.track.log(`The swap could not be read again (${causeOf(err)}); the wait goes on and reads it at its next poll.`);
  }
}

/**
 * How long a verified swap is trusted without a read. A read can never close the gap between itself and the write
 * it guards; what it must cover are the waits (a request review, a joined batch, the Lost wait, a step's retries),
 * which take minutes to days. Between a swap verified moments ago and the loan that follows it, a read would add an
 * Alma call to every relink and no protection worth having.
 */
const SWAP_TRUSTED_FOR_MS = 10_000;

/**
 * An earlier relink of this patron may have left its follow-up waiting to read the record again. It looks for the
 * same marker, so it would take this relink's holding entry for a late write and restore it mid-relink: cancel it.
 * This relink's own restore and follow-up take over. Usually there is none, and the cancel is refused: fine.
 */
async function supersedeRecheck(r: Relink): Promise<void> {
  try {
    await getExternalWorkflowHandle(restoreRecheckWorkflowId(r.workflowId)).cancel();
    r.track.log("An earlier relink's re-check of this record was cancelled: this relink takes over the record.");
  } catch {
    // No follow-up open for this patron.
  }
}

/** How often a relink asks whether the sweep has ended: its restore takes seconds, its run 5 minutes at most. */
const SWEEP_ASKED_EVERY = '5 seconds';

/**
 * relink sweep --fix may be restoring an earlier run of this patron's relink (terminated, or its history lost), whose
 * restore Alma applied but answered with an error: its retry would meet this relink's swap. So the swap waits for
 * the sweep to end, rather than cancel it: a sweep cancelled between its loans' return and its restore would leave the
 * old holding entry on the record. Says whether it waited.
 */
async function awaitSweepRestore(r: Relink): Promise<boolean> {
  const sweep = getExternalWorkflowHandle(sweepRestoreWorkflowId(r.workflowId));
  for (let asked = 0; ; asked++) {
    try {
      await sweep.signal(sweepStillRunningSignal);
    } catch {
      // No sweep of this patron runs (the usual case), or it has ended.
      if (asked > 0)
        r.track.log('relink sweep --fix has finished with this patron; the relink reads the record again.');
      return asked > 0;
    }
    if (asked === 0) {
      r.track.log('relink sweep --fix is restoring an earlier relink of this patron; the swap waits until it ends.');
    }
    await sleep(SWEEP_ASKED_EVERY);
  }
}
