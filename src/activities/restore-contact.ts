// Step 7, the compensation: remove exactly what the swap added, make the original email and SMS phones preferred
// again, change nothing else, and verify. Every attempt aims at the same target and checks it on the record as Alma
// holds it after its own write: the PUT's answer, which is the stored record (a read right after it would say the
// same and cost a call; a write Alma applies later is the follow-up's to catch, recheck-restore.ts). So a retry never
// calls "verified" what an earlier attempt left half done. It never gives up while Alma answers wrongly (every
// failure is retryable); a plan the record can no longer honour (staff removed or corrected the original entry) ends
// with the holding address gone and a note for staff instead. A relink whose swap was never applied writes nothing.
import { ApplicationFailure } from '@temporalio/activity';
import { isAlmaError } from '../alma';
import type { RestoreContactInput, RestoreContactResult } from '../contract';
import {
  applyRestore,
  neverChanged,
  otherRelinkAttention,
  otherRelinksOn,
  restoreAttention,
  restoreCheck,
} from './contact';
import { almaErrorDetail } from './failures';
import type { ActivityDeps } from './deps';

function retryable(err: unknown, patronId: string, reportRefusal = false): ApplicationFailure {
  // Alma's words quoted as every step quotes them (failures.ts): a name in them stays out of the logs.
  const detail = isAlmaError(err) ? almaErrorDetail(err) : String(err);
  if (reportRefusal && isLastingRefusal(err)) {
    // Retrying will not change Alma's answer: the workflow shows it to staff (restore-refused) and tries again itself.
    return ApplicationFailure.nonRetryable(
      `Alma refuses to restore patron ${patronId}'s email: ${detail}`,
      'RestoreRefused',
    );
  }
  return ApplicationFailure.retryable(
    `Restoring patron ${patronId}'s email failed, will retry: ${detail}`,
    'RestoreFailed',
  );
}

/** A 4xx Alma will answer again (not 429, not the client's own): only staff, in Alma, can change it. */
const isLastingRefusal = (err: unknown): boolean =>
  isAlmaError(err) &&
  !err.retryable &&
  err.status !== undefined &&
  err.status >= 400 &&
  err.status < 500 &&
  err.status !== 429;

export function createRestoreContact({ alma }: ActivityDeps) {
  return async function restoreContact({
    patronId,
    plan,
    late,
    swapConfirmed,
    reportRefusal,
  }: RestoreContactInput): Promise<RestoreContactResult> {
    try {
      let user = await alma.getUser(patronId);
      // A swap never applied: "restoring" the plan would only undo what staff changed since it was read.
      if (neverChanged(user, plan, swapConfirmed)) return { written: false, verified: false, neverChanged: true };
      let written = false;
      // After the relink closed, a new run (or another relink) that swapped the record owns it: writing the plan
      // would make the patron's own email preferred under that relink's loans and letters.
      const others = late ? otherRelinksOn(user, plan.marker) : [];
      if (others.length > 0) return { written, verified: false, attention: otherRelinkAttention(patronId, others) };
      if (!restoreCheck(user, plan).done) {
        // Written from this read, not from an earlier attempt's: staff edits made since are kept.
        user = await alma.updateUser(patronId, applyRestore(user, plan));
        written = true;
      }
      const { done, gaps } = restoreCheck(user, plan);
      if (!done) throw new Error('the record Alma answered does not show the original email and SMS settings');
      if (gaps.length === 0) return { written, verified: true };
      return { written, verified: false, attention: restoreAttention(user, gaps, patronId) };
    } catch (err) {
      throw retryable(err, patronId, reportRefusal);
    }
  };
}
