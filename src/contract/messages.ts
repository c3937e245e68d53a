// The relink's messages: what staff and tools can ask (query) or tell (signal, update) a running relink.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { JoinOptions, JoinResult, LoanDecision, RelinkProgress, RestoreNowRequest, ReviewDecision } from './types';

/** Current step, what it awaits and from whom, per-item state and the audit trail. */
export const progressQuery = defineQuery<RelinkProgress>('progress');

/** Staff decision on a request queue that stood in the way: proceed once arranged in Alma, or abort. */
export const reviewDecisionUpdate = defineUpdate<string, [ReviewDecision]>('reviewDecision');

/**
 * Staff clicked Lost in Alma: check now instead of at the next poll. Optionally for one barcode; `by` names the staff
 * member for the audit (the desk sends the signed-in name).
 */
export const confirmLostSignal = defineSignal<[{ barcode?: string; by?: string }?]>('confirmLost');

/**
 * Start-or-join: sent with every start (update-with-start). On a new run it only confirms the start; on a running
 * relink of the same patron it joins these barcodes. A relink that is finishing refuses it with RelinkClosing.
 */
export const addBarcodesUpdate = defineUpdate<JoinResult, [string[], JoinOptions?]>('addBarcodes');

/**
 * Staff decision on the loans of a relink waiting for the Lost click or overdue: end it, returning the loans (then
 * the restore) or keeping them (audited, with who). Refused at any other step: there is no loan of its own to decide on.
 */
export const loanDecisionUpdate = defineUpdate<string, [LoanDecision]>('loanDecision');
/** Staff end the quiet period before the restore early: the restore begins at once. Refused outside the quiet period. */
export const restoreNowUpdate = defineUpdate<string, [RestoreNowRequest]>('restoreNow');

/**
 * Sent by a relink to sweep-restore-<its id> before its first swap, to learn whether that sweep still runs: Temporal
 * refuses a signal to a closed or unknown workflow. The sweep does nothing with it.
 */
export const sweepStillRunningSignal = defineSignal('sweepStillRunning');

/**
 * What Alma's webhooks tell a relink (issue 27; sent by `npm run webhooks`, src/webhooks): a reason to look at Alma
 * now, never proof. Ids only, no personal data.
 */
export interface AlmaEvent {
  /** The webhook's subject: one of the patron's loans, the patron's record, a request on an item, a job's end. */
  kind: 'loan' | 'user' | 'request' | 'job';
  /** Alma's event code (LOAN_CREATED, LOAN_RETURNED, LOAN_LOST, USER_UPDATED, REQUEST_CREATED…), or JOB_END. */
  event: string;
  /** Alma's message id: the same message retried by Alma, or passed on twice by two listeners, has the same one. */
  messageId: string;
  loanId?: string;
  itemBarcode?: string;
  /** The item's pid. */
  itemId?: string;
  mmsId?: string;
  /** Which of the jobs that matter to a relink ended (kind 'job'). */
  job?: 'fines-fees-notification' | 'overdue-and-lost';
  /** When Alma says it happened (its message's time), ISO 8601. */
  at: string;
}

/** A webhook from Alma about this relink's patron, one of its items, or a job it may wait for. */
export const almaEventSignal = defineSignal<[AlmaEvent]>('almaEvent');
