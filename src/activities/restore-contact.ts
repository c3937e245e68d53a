// Step 7, the compensation: remove exactly what the swap added, make the original email and SMS phones
// preferred again, change nothing else, and read back to verify. It never gives up: every failure is retryable.
import { ApplicationFailure } from '@temporalio/activity';
import { isAlmaError } from '../alma';
import type { RestoreContactInput, RestoreContactResult } from '../contract';
import { applyRestore, hasHoldingEntry, isRestored } from './contact';
import type { ActivityDeps } from './deps';

function retryable(err: unknown, patronId: string): ApplicationFailure {
  const detail = isAlmaError(err) ? `${err.almaMessage || err.message} (${err.code ?? err.kind})` : String(err);
  return ApplicationFailure.retryable(
    `Restoring patron ${patronId}'s email failed, will retry: ${detail}`,
    'RestoreFailed',
  );
}

export function createRestoreContact({ alma }: ActivityDeps) {
  return async function restoreContact({ patronId, plan }: RestoreContactInput): Promise<RestoreContactResult> {
    try {
      const user = await alma.getUser(patronId);
      // No holding entry: the swap never reached Alma, or an earlier attempt already restored it (the swap and the
      // restore each change email and SMS in one PUT). Writing now could undo a staff edit made since.
      if (!hasHoldingEntry(user, plan.marker) || isRestored(user, plan)) return { written: false, verified: true };
      await alma.updateUser(patronId, applyRestore(user, plan));
      const readBack = await alma.getUser(patronId);
      if (!isRestored(readBack, plan)) {
        throw new Error('the record read back does not show the original email and SMS settings');
      }
      return { written: true, verified: true };
    } catch (err) {
      throw retryable(err, patronId);
    }
  };
}
