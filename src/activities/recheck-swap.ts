// Before each write that sends a letter (scan-in, loan) and at each Lost poll: is the swap still in place? A SIS load
// or a staff edit since the swap (another email made preferred, SMS back on, the holding address deleted) would send
// the letter to the patron. One read; a write only when the swap was undone. The plan is never re-read here: an
// address staff made preferred meanwhile must not become the "original" the restore puts back.
import { ApplicationFailure } from '@temporalio/activity';
import type { RecheckSwapInput, RecheckSwapResult } from '../contract';
import { applySwap, isSwapped, swapDrift } from './contact';
import type { ActivityDeps } from './deps';
import { almaStep } from './failures';

export function createRecheckSwap({ alma }: ActivityDeps) {
  return async function recheckSwap({ patronId, workflowId, plan }: RecheckSwapInput): Promise<RecheckSwapResult> {
    const user = await almaStep(`reading patron ${patronId}`, () => alma.getUser(patronId));
    const drift = swapDrift(user, plan);
    if (drift.length === 0) return { reswapped: false };
    const updated = await almaStep(`switching patron ${patronId}'s notices back to the holding address`, () =>
      alma.updateUser(patronId, applySwap(user, plan, workflowId)),
    );
    if (!isSwapped(updated, plan)) {
      throw ApplicationFailure.retryable(
        `Alma did not keep the holding address for patron ${patronId}.`,
        'SwapNotVerified',
      );
    }
    const found = drift.join('; ');
    const what = `${found.charAt(0).toUpperCase()}${found.slice(1)}; the holding address is the only preferred email again and SMS is off.`;
    return { reswapped: true, what };
  };
}
