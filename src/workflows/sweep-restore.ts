// relink sweep --fix, on the worker: restores a patron left swapped by a relink that is not running (terminated, or
// its history lost with a cluster). First, while the holding address is still in place, it returns the loans the
// relink's history names (unless Alma shows them Lost), as the relink's own give-up would have: a restore before that
// would leave an active, non-lost loan whose letters reach the patron. With the relink's plan, the relink's own restore
// (idempotent, verified on a read after its write); with the marker alone, the conservative restore that says what
// staff must check.
import { ApplicationFailure, patched, setHandler } from '@temporalio/workflow';
import {
  markerFor,
  relinkIdOf,
  sweepStillRunningSignal,
  type RecordedLoan,
  type RelinkActivities,
  type SweepRestoreInput,
  type SweepRestoreResult,
} from '../contract';
import { staffToolActivities } from './activity-proxies';
import { dueDateBackLog, returnedState } from './instructions';
import { causeOf } from './outcomes';
import { SWEEP_RETURNS_LOANS } from './patches';

type Returned = NonNullable<SweepRestoreResult['returns']>[number];

export async function sweepRestore({
  patronId,
  workflowId,
  plan,
  loans,
  marker: found,
}: SweepRestoreInput): Promise<SweepRestoreResult> {
  // A new relink of the patron asks whether this still runs, and swaps once it has ended (contact-swap.ts).
  setHandler(sweepStillRunningSignal, () => undefined);
  // The run's own marker: its plan's, or the one found on the record. Sweeps started before run markers gave neither.
  const marker = plan?.marker ?? found ?? markerFor(workflowId);
  const activities = staffToolActivities('1 minute');
  if (relinkIdOf(marker) !== workflowId || (found !== undefined && found !== marker)) {
    // A plan of another relink, or of another run, would remove the wrong entry, or none.
    throw ApplicationFailure.nonRetryable(
      `The plan given is not ${workflowId}'s (its marker differs).`,
      'InvalidInput',
    );
  }
  let listed: { returns?: Returned[] } = {};
  if (loans?.length && patched(SWEEP_RETURNS_LOANS)) {
    const { returns, refused } = await returnLoans(activities, patronId, loans);
    listed = { returns };
    if (refused.length > 0) {
      return {
        from: plan ? 'plan' : 'marker',
        written: false,
        verified: false,
        attention:
          `Not restored: Alma refused to return ${refused.join(', ')} (see the loans below). ` +
          'Return it in Alma (Fulfillment > Return Items), then run relink sweep --fix again.',
        returns,
      };
    }
  }
  if (!plan) {
    const { written, attention } = await activities.restoreFromMarker({ patronId, marker });
    return { from: 'marker', written, verified: false, attention, ...listed };
  }
  // Late: a record another relink (or another run of this one) has swapped since is left to that relink.
  const { written, verified, attention } = await activities.restoreContact({ patronId, plan, late: true });
  return { from: 'plan', written, verified, ...(attention ? { attention } : {}), ...listed };
}

/**
 * Returns each loan (a loan whose answer never came is looked up first; a due date the overdue-job mode moved goes
 * back first); records what became of each, and the barcodes whose return Alma refused.
 */
async function returnLoans(
  activities: RelinkActivities,
  patronId: string,
  loans: RecordedLoan[],
): Promise<{ returns: Returned[]; refused: string[] }> {
  const unknown = loans.filter((l) => !l.loanId).map((l) => l.item);
  const found = unknown.length ? await activities.findLoans({ patronId, items: unknown }) : [];
  const returns: Returned[] = [];
  const refused: string[] = [];
  for (const { item, loanId: recorded, dueDateBefore } of loans) {
    const loanId = recorded ?? found.find((f) => f.barcode === item.barcode)?.loanId;
    if (!loanId) {
      returns.push({ barcode: item.barcode, stateNow: 'no loan: the relink’s loan never went through.' });
      continue;
    }
    try {
      const result = await activities.returnLoan({
        patronId,
        item,
        loanId,
        ...(dueDateBefore ? { dueDateBefore } : {}),
      });
      const back = result.dueDateBack ? ` ${dueDateBackLog(item.barcode, result.dueDateBack, dueDateBefore!)}` : '';
      returns.push({ barcode: item.barcode, loanId, stateNow: returnedState(result, item.processType) + back });
    } catch (err) {
      returns.push({ barcode: item.barcode, loanId, stateNow: `still on loan: ${causeOf(err)}` });
      refused.push(item.barcode);
    }
  }
  return { returns, refused };
}
