// Step 3: the holding address becomes the patron's only preferred email and SMS is switched off, so the
// scan-in, loan and lost letters reach the library instead of the patron. The workflow registered the restore
// before calling this.
import { ApplicationFailure } from '@temporalio/activity';
import type { SwapContactInput, SwapContactResult } from '../contract';
import { applySwap, hasHoldingEntry, isSwapped, planStillHolds, plannedEntries } from './contact';
import type { ActivityDeps } from './deps';
import { almaStep, businessFailure } from './failures';

export function createSwapContact({ alma }: ActivityDeps) {
  return async function swapContact({ patronId, workflowId, plan }: SwapContactInput): Promise<SwapContactResult> {
    const planned = plannedEntries(plan);
    const summary = { suppressedEmail: planned.email !== null, suppressedSmsPhones: planned.sms.length };
    const user = await almaStep(`reading patron ${patronId}`, () => alma.getUser(patronId));
    if (isSwapped(user, plan)) return { written: false, ...summary };
    if (!hasHoldingEntry(user, plan) && !planStillHolds(user, plan)) {
      // Someone changed the patron's contact details since they were read: re-plan rather than record a wrong original.
      throw businessFailure('ContactChanged', `Patron ${patronId}'s contact details changed since they were read.`);
    }
    const updated = await almaStep(`switching patron ${patronId}'s notices to the holding address`, () =>
      alma.updateUser(patronId, applySwap(user, plan, workflowId)),
    );
    if (!isSwapped(updated, plan)) {
      throw ApplicationFailure.retryable(
        `Alma did not keep the holding address for patron ${patronId}.`,
        'SwapNotVerified',
      );
    }
    return { written: true, ...summary };
  };
}
