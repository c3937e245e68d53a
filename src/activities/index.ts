// The relink's activities, one file per step, bound to one Alma client. The workflow knows them only through the contract's RelinkActivities.
import { createCheckLostDeclared } from './check-lost';
import type { RelinkActivities } from '../contract';
import type { ActivityDeps } from './deps';
import { createFindLoans } from './find-loans';
import { createHoldingEntryBack } from './holding-entry-back';
import { createLoanItem } from './loan';
import { createPreflight } from './preflight';
import { createRecheckSwap } from './recheck-swap';
import { createRestoreContact } from './restore-contact';
import { createReviewRequests } from './review-requests';
import { createScanIn } from './scan-in';
import { createSwapContact } from './swap-contact';

export function createActivities(deps: ActivityDeps): RelinkActivities {
  return {
    preflight: createPreflight(deps),
    reviewRequests: createReviewRequests(deps),
    swapContact: createSwapContact(deps),
    scanIn: createScanIn(deps),
    loanItem: createLoanItem(deps),
    checkLostDeclared: createCheckLostDeclared(deps),
    restoreContact: createRestoreContact(deps),
    findLoans: createFindLoans(deps),
    holdingEntryBack: createHoldingEntryBack(deps),
    recheckSwap: createRecheckSwap(deps),
  };
}

export type { RelinkActivities } from '../contract';
export type { ActivityDeps } from './deps';
