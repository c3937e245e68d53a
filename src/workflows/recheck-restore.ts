// The follow-up to a relink: Alma may apply a write it received before the restore (a swap PUT whose answer was
// lost, held for a minute or more), which brings the holding address back after the relink closed as restored.
// The relink starts this workflow and does not wait for it (abandon): staff have the relink's outcome at once, and
// admins find this run, linked from the relink's audit, in the Web UI.
import { sleep } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { AuditEntry, RestoreRecheckInput, RestoreRecheckResult } from '../contract';
import { compensationActivities } from './activity-proxies';

export async function recheckRestore(input: RestoreRecheckInput): Promise<RestoreRecheckResult> {
  const { patronId, plan } = input;
  const audit: AuditEntry[] = [];
  const log = (message: string) => audit.push({ at: new Date().toISOString(), step: 'restore', message });
  const activities = compensationActivities(input.stepTimeout as Duration);

  await sleep(input.after as Duration);
  if (!(await activities.holdingEntryBack({ patronId, plan }))) {
    log(`${input.after} after the restore of ${input.relinkWorkflowId}, the record still shows it.`);
    return { outcome: 'clean', audit };
  }
  log(`A write Alma applied late brought the holding address back after ${input.relinkWorkflowId}'s restore.`);
  const result = await activities.restoreContact({ patronId, plan });
  if (!result.verified) log(`Holding address removed again, but the restore needs a look: ${result.attention ?? ''}`);
  else if (result.written) log("Restored again: the patron's original email and SMS settings, verified.");
  else log('Alma already showed the original email and SMS settings again (verified).');
  return { outcome: 'restored-again', audit };
}
