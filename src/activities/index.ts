// The relink's activities, one file per step, bound to one Alma client. The workflow knows them only through the
// contract's RelinkActivities. Each attempt builds its activity afresh over a client view bound to that attempt (see
// inAttempt), so the step files need not know of cancels, deadlines or heartbeats.
import { createCheckLostDeclared } from './check-lost';
import type { RelinkActivities } from '../contract';
import { inAttempt, type ActivityDeps, type ActivityRole } from './deps';
import { createFindHoldingAddresses } from './find-holding-addresses';
import { createFindLoans } from './find-loans';
import { createHoldingEntryBack } from './holding-entry-back';
import { createLoanItem } from './loan';
import { createPreflight } from './preflight';
import { createQuietPeriodEnd } from './quiet-period-end';
import { createRecheckSwap } from './recheck-swap';
import { createResolvePatron } from './resolve-patron';
import { createRestoreContact } from './restore-contact';
import { createRestoreFromMarker } from './restore-from-marker';
import { createReviewRequests } from './review-requests';
import { createScanIn } from './scan-in';
import { createSwapContact } from './swap-contact';

export function createActivities(deps: ActivityDeps): RelinkActivities {
  const forward = perAttempt(deps, 'forward');
  // The restore and the reads after a failure: the daily-quota floor keeps calls for them, never refuses them.
  const compensation = perAttempt(deps, 'compensation');
  return {
    preflight: forward(createPreflight),
    reviewRequests: forward(createReviewRequests),
    swapContact: forward(createSwapContact),
    scanIn: forward(createScanIn),
    loanItem: forward(createLoanItem),
    checkLostDeclared: forward(createCheckLostDeclared),
    restoreContact: compensation(createRestoreContact),
    findLoans: compensation(createFindLoans),
    // The follow-up's read after the restore belongs to the compensation too.
    holdingEntryBack: compensation(createHoldingEntryBack),
    recheckSwap: forward(createRecheckSwap),
    resolvePatron: forward(createResolvePatron),
    // relink sweep: the search is a read like any; the restore is compensation, never refused by the quota floor.
    findHoldingAddresses: forward(createFindHoldingAddresses),
    restoreFromMarker: compensation(createRestoreFromMarker),
    quietPeriodEnd: forward(createQuietPeriodEnd),
  };
}

function perAttempt(deps: ActivityDeps, role: ActivityRole) {
  return <I, O>(create: (deps: ActivityDeps) => (input: I) => Promise<O>) =>
    (input: I): Promise<O> =>
      inAttempt(deps, role, (bound) => create(bound)(input));
}

export type { RelinkActivities } from '../contract';
export type { ActivityDeps } from './deps';
