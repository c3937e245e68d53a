// The relink's activities, one file per step, bound to one Alma client. The workflow knows them only through the
// contract's RelinkActivities. Each attempt builds its activity afresh over a client view bound to that attempt (see
// inAttempt), so the step files need not know of cancels, deadlines or heartbeats.
import { ridingOutTheDailyLimit } from './daily-limit-in-wait';
import { createCheckLostDeclared } from './check-lost';
import type { RelinkActivities } from '../contract';
import type { CallPriority } from '../alma';
import { inAttempt, type ActivityDeps, type ActivityRole } from './deps';
import { leavingGate, throughGate } from './swap-turn';
import { createFindHoldingAddresses } from './find-holding-addresses';
import { createFindLoans } from './find-loans';
import { createHoldingEntryBack } from './holding-entry-back';
import { createLoanItem } from './loan';
import { PatronReads } from './patron-reads';
import { createPreflight } from './preflight';
import { createReadDailyQuota } from './read-daily-quota';
import { createQuietPeriodEnd } from './quiet-period-end';
import { createRecheckSwap } from './recheck-swap';
import { createResolvePatron } from './resolve-patron';
import { createRestoreContact } from './restore-contact';
import { createRestoreFromMarker } from './restore-from-marker';
import { createReturnLoan } from './return-loan';
import { createReviewRequests } from './review-requests';
import { createScanIn } from './scan-in';
import { createSwapContact } from './swap-contact';
import { createSetDueDate } from './loan-due-date';

export function createActivities(given: ActivityDeps): RelinkActivities {
  // The lookup before a start and the start's preflight share this worker's reads of the patron (patron-reads.ts).
  const deps: ActivityDeps = { ...given, patronReads: given.patronReads ?? new PatronReads() };
  // Steps that open a swap wait behind the steps that end or protect one (the per-second limiter's `closing` line):
  // under load a swapped patron's scan-in, loan, re-check and restore no longer queue behind other relinks' preflights.
  const forward = perAttempt(deps, 'forward', 'opening');
  const forwardOfSwapped = perAttempt(deps, 'forward', 'closing');
  // The restore and the reads after a failure: the daily-quota floor keeps calls for them, never refuses them.
  const compensation = perAttempt(deps, 'compensation', 'closing');
  // A staff member waits on these single reads (the patron lookup before a start, a batch's quota reading): their own
  // line, before every relink's calls.
  const forStaff = perAttempt(deps, 'forward', 'staff');
  return {
    preflight: forward(createPreflight),
    reviewRequests: forward(createReviewRequests),
    // A swap waits for its turn (at most a few relinks between swap and loan), then goes as a closing call.
    swapContact: forwardOfSwapped(throughGate(createSwapContact)),
    scanIn: forwardOfSwapped(createScanIn),
    loanItem: forwardOfSwapped(leavingGate(createLoanItem, 'after')),
    // Below the daily-quota floor the check waits for the quota, as through an outage, instead of ending the relink.
    checkLostDeclared: forwardOfSwapped(ridingOutTheDailyLimit(createCheckLostDeclared)),
    restoreContact: compensation(leavingGate(createRestoreContact, 'before')),
    findLoans: compensation(createFindLoans),
    // Returning a loan after a give-up is part of the compensation: never refused by the quota floor.
    returnLoan: compensation(createReturnLoan),
    // The follow-up's read after the restore belongs to the compensation too.
    holdingEntryBack: compensation(createHoldingEntryBack),
    // The swap's re-read protects the swap, as the restore does: the quota floor never refuses it (a refusal in the
    // quiet period once ended the wait and let the fee letter through to the patron).
    recheckSwap: compensation(createRecheckSwap),
    resolvePatron: forStaff(createResolvePatron),
    readDailyQuota: forStaff(createReadDailyQuota),
    // relink sweep: the search is a read like any; the restore is compensation, never refused by the quota floor.
    findHoldingAddresses: forward(createFindHoldingAddresses),
    restoreFromMarker: compensation(createRestoreFromMarker),
    quietPeriodEnd: forward(createQuietPeriodEnd),
    // The overdue-job mode's due-date change, and its undoing before a give-up's return (which must never be refused
    // by the quota floor, or the return would charge an overdue fine).
    setDueDate: compensation(createSetDueDate),
  };
}

function perAttempt(deps: ActivityDeps, role: ActivityRole, priority: CallPriority) {
  return <I, O>(create: (deps: ActivityDeps) => (input: I) => Promise<O>) =>
    (input: I): Promise<O> =>
      inAttempt(deps, role, (bound) => create(bound)(input), priority);
}

export type { RelinkActivities } from '../contract';
export type { ActivityDeps } from './deps';
export { gateFor } from './swap-turn';
