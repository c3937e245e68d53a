// What the relink tells staff: the instructions shown while it waits, and the audit lines of its steps. Kept apart
// from the steps so the wording can be read (and translated) in one place.
import type { BlockingRequest, CheckedItem, LostCheck, SwapContactResult } from '../contract';

export interface OpenLoan {
  barcode: string;
  title?: string;
  loanId: string;
}

const describeRequest = (item: CheckedItem, r: BlockingRequest): string =>
  `request ${r.requestId} (${r.requestType}, ${r.status}${r.level === 'title' ? `, title-level on bib ${item.mmsId}` : ''})`;

/** "39000000001 ("Title"): request 123 (HOLD, NOT_STARTED), …" for each blocked item. */
export function describeQueues(blocked: { item: CheckedItem; blocking: BlockingRequest[] }[]): string {
  return blocked
    .map(
      ({ item, blocking }) =>
        `${item.barcode} ("${item.title}"): ${blocking.map((r) => describeRequest(item, r)).join(', ')}`,
    )
    .join('; ');
}

export function reviewInstructions(
  queues: string,
  patronId: string,
  workflowId: string,
  blocked: { blocking: BlockingRequest[] }[] = [],
): string {
  // A title-level request is on the title, not the item: the item's own Requests list does not show it.
  const titleLevel = blocked.some((b) => b.blocking.some((r) => r.level === 'title'));
  return (
    `In Alma, review the request queue of ${queues} (Fulfillment > Manage Requests / the item's Requests list): ` +
    `cancel or move those requests so none stands before patron ${patronId}. ` +
    (titleLevel
      ? 'A title-level request is on the title, not the item: find it by its request id in Fulfillment > Manage ' +
        "Requests, or in the title's Requests list (search the title in Alma, then Requests). "
      : '') +
    `Then run: relink review ${workflowId} --proceed   (or --abort to stop this relink).`
  );
}

export function lostInstructions(open: OpenLoan[], patronId: string, workflowId: string, deadline: string): string {
  const list = open.map((l) => `${l.barcode} ("${l.title ?? ''}", loan ${l.loanId})`).join('; ');
  return (
    `In Alma: Fulfillment > Manage Patron Services, patron ${patronId}, Loans tab: on the loan of ${list} ` +
    `open the row actions (⋯) and choose "Lost". Then run: relink confirm-lost ${workflowId}. ` +
    `(The relink also checks Alma by itself and stops waiting after ${deadline}.)`
  );
}

export function swapLog(result: SwapContactResult): string {
  return (
    (result.suppressedEmail
      ? 'Preferred email switched to the holding address'
      : 'Patron had no preferred email: the holding address was added, nothing to suppress') +
    (result.suppressedSmsPhones
      ? `; SMS switched off on ${result.suppressedSmsPhones} phone(s).`
      : '; no SMS phone to suppress.')
  );
}

export const lostConfirmedLog = (check: LostCheck): string =>
  `Lost confirmed in Alma for ${check.barcode} (${check.by === 'lost-item-fee' ? 'lost-item fee' : 'loan status LOST'}).`;

export const lostDeadlineReason = (deadline: string, open: OpenLoan[]): string =>
  `No Lost click was confirmed within ${deadline} for ${open.map((l) => `${l.barcode} (loan ${l.loanId})`).join(', ')}; the loans are active and not lost.`;

export const unansweredLoanLog = (barcode: string, patronId: string): string =>
  `Alma shows ${barcode} on loan to patron ${patronId}: this relink's loan went through although ` +
  `Alma's answer was lost. Declare it Lost or return it in Alma.`;

export const quietPeriodInstructions = (workflowId: string, until: string): string =>
  `Nothing to do: the Lost click is confirmed, and the patron's email stays on the holding address until ${until} ` +
  "so that the letters Alma's scheduled jobs send about the new fee (the fines/fees notification) go there; the " +
  `patron's other letters go there too meanwhile. Then the relink restores the patron by itself; to restore them now ` +
  `instead: relink restore-now ${workflowId}.`;
