// The contact swap: the holding address becomes the patron's only preferred email and SMS goes off, so the letters
// of the scan-in, the loan and the Lost click reach the library. The restore is owed from before the swap is sent,
// and the swap is checked again before every write that sends a letter and at each Lost poll.
import { getExternalWorkflowHandle } from '@temporalio/workflow';
import { restoreRecheckWorkflowId, type RelinkActivities } from '../contract';
import { failureType } from './outcomes';
import { RECHECK_SWAP, SUPERSEDE_RECHECK } from './patches';
import { swapLog } from './instructions';
import type { Relink } from './relink';

export async function ensureSwapped(r: Relink): Promise<void> {
  if (r.swapped) return;
  r.track.enter('email-swap');
  for (let attempt = 1; ; attempt++) {
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
      r.swapConfirmed = true;
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
): Promise<void> {
  if (!r.swapped || Date.now() - r.swapVerifiedAt < SWAP_TRUSTED_FOR_MS) return;
  if (!r.patch(RECHECK_SWAP)) return;
  const result = await via.recheckSwap({ patronId: r.patronId, workflowId: r.workflowId, plan: r.plan! });
  r.swapVerifiedAt = Date.now();
  if (result.reswapped) r.track.log(`The swap had been undone in Alma, and was made again: ${result.what}`);
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
