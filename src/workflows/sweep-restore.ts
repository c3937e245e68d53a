// relink sweep --fix, on the worker: restores a patron left swapped by a relink that is not running (terminated, or
// its history lost with a cluster). With the relink's plan, the relink's own restore (idempotent, verified on a read
// after its write); with the marker alone, the conservative restore that says what staff must check.
import { ApplicationFailure } from '@temporalio/workflow';
import { markerFor, type SweepRestoreInput, type SweepRestoreResult } from '../contract';
import { staffToolActivities } from './activity-proxies';

export async function sweepRestore({ patronId, workflowId, plan }: SweepRestoreInput): Promise<SweepRestoreResult> {
  const marker = markerFor(workflowId);
  const activities = staffToolActivities('1 minute');
  if (!plan) {
    const { written, attention } = await activities.restoreFromMarker({ patronId, marker });
    return { from: 'marker', written, verified: false, attention };
  }
  if (plan.marker !== marker) {
    // A plan of another relink would remove the wrong entry, or none.
    throw ApplicationFailure.nonRetryable(
      `The plan given is not ${workflowId}'s (its marker differs).`,
      'InvalidInput',
    );
  }
  const { written, verified, attention } = await activities.restoreContact({ patronId, plan });
  return { from: 'plan', written, verified, ...(attention ? { attention } : {}) };
}
