// What the relink tells staff: the instructions shown while it waits, and the audit lines of its steps. Kept apart
// from the steps so the wording can be read (and translated) in one place.
import type { BlockingRequest, CheckedItem, LostCheck, SwapContactResult } from '../contract';
import { at, utcMinutes, words, type StaffInstructions, type StaffText } from '../contract';

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
  blocked: { blocking: BlockingRequest[] }[] = [],
): StaffInstructions {
  // A title-level request is on the title, not the item: the item's own Requests list does not show it.
  const titleLevel = blocked.some((b) => b.blocking.some((r) => r.level === 'title'));
  return {
    choices: [
      {
        act: words`In Alma, review the request queue of ${queues} (Fulfillment > Manage Requests / the item's Requests list): cancel or move those requests so none stands before patron ${patronId}`,
        answer: 'proceed',
      },
    ],
    ...(titleLevel
      ? {
          note: words`A title-level request is on the title, not the item: find it by its request id in Fulfillment > Manage Requests, or in the title's Requests list (search the title in Alma, then Requests).`,
        }
      : {}),
    also: [{ when: words`To stop this relink instead`, answer: 'abort' }],
  };
}

const lostClick = (patronId: string, list: string): StaffText =>
  words`In Alma: Fulfillment > Manage Patron Services, patron ${patronId}, Loans tab: on the loan of ${list} open the row actions (⋯) and choose "Lost"`;

export function lostInstructions(
  open: OpenLoan[],
  patronId: string,
  deadline: string,
  webhooks = false,
): StaffInstructions {
  const list = open.map((l) => `${l.barcode} ("${l.title ?? ''}", loan ${l.loanId})`).join('; ');
  if (webhooks) {
    // Alma's webhooks tell the relink of the click: nothing more for staff to do.
    return {
      choices: [
        {
          act: [
            ...lostClick(patronId, list),
            ...words`. That is all: Alma tells the relink, which checks and goes on by itself (it stops waiting after ${deadline})`,
          ],
        },
      ],
      also: [{ when: words`Only if it has not moved on within a few minutes`, answer: 'confirm-lost' }],
    };
  }
  return {
    choices: [{ act: lostClick(patronId, list), answer: 'confirm-lost' }],
    note: words`(The relink also checks Alma by itself and stops waiting after ${deadline}.)`,
  };
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

export const unansweredLoanLog = (barcode: string, patronId: string, returning = false): string =>
  `Alma shows ${barcode} on loan to patron ${patronId}: this relink's loan went through although ` +
  `Alma's answer was lost. ${returning ? 'The relink returns it before the restore.' : 'Return it in Alma.'}`;

/** A loan staff made at the desk (the API loan refused) that the relink found only after it had stopped waiting. */
export const deskLoanFoundLog = (barcode: string, patronId: string, returning = false): string =>
  `Alma shows ${barcode} on loan to patron ${patronId}: the loan staff made at the desk, which the relink had not ` +
  `noticed before it stopped. ${returning ? 'The relink returns it before the restore.' : 'Return it in Alma.'}`;

/** Who made a staff decision, for the audit: "Staff member jdoe", or "A staff member" when no name was given. */
export const staffMember = (by?: string): string => (by ? `Staff member ${by}` : 'A staff member');

/** What staff read while the relink is overdue: the holding address stays, and each choice with what follows. */
export function overdueInstructions(
  open: OpenLoan[],
  patronId: string,
  lostDeadline: string,
  limitAt: Date,
): StaffInstructions {
  const list = open.map((l) => `${l.barcode} ("${l.title ?? ''}", loan ${l.loanId})`).join('; ');
  const limit = at(limitAt.toISOString());
  return {
    situation: words`Overdue: no Lost click was confirmed within ${lostDeadline}. The holding address stays until ${limit}.`,
    choices: [
      { act: lostClick(patronId, list), answer: 'confirm-lost' },
      {
        answer: 'return-loans',
        then: words`The relink returns the loans (scans the items in; any letter goes to the holding address), then restores the patron's email.`,
      },
      {
        answer: 'keep-loans',
        then: words`The loans stay active and not lost, and from then on Alma's letters about them go to the patron.`,
      },
    ],
    note: words`At ${limit} the relink returns the loans itself, then restores.`,
  };
}

export const overdueLog = (lostDeadline: string, limitAt: Date): string =>
  `Overdue: no Lost click was confirmed within ${lostDeadline}. The holding address stays, and the relink waits for ` +
  `the Lost click or a staff decision until ${utcMinutes(limitAt.toISOString())}, then returns the loans itself.`;

export const holdingLimitReason = (limit: string, open: OpenLoan[]): string =>
  `No Lost click and no staff decision within ${limit} (the holding-address limit) for ` +
  `${open.map((l) => `${l.barcode} (loan ${l.loanId})`).join(', ')}: the relink returned the loans before restoring.`;

/** The warning a keep-loans decision is answered with and recorded under: what follows from it. */
export const keepLoansWarning = (open: OpenLoan[], by?: string, dueDatesMoved: string[] = []): string =>
  `${staffMember(by)} chose to keep the loans of ${open.map((l) => `${l.barcode} (loan ${l.loanId})`).join(', ')} ` +
  `active and not lost. Warning: once the patron's email is restored, Alma sends the patron its letters about these ` +
  `loans (due-date reminders, overdue notices; a Lost click or a fee from now on sends the Lost Loan letter and the ` +
  `fee notices to the patron).` +
  (dueDatesMoved.length
    ? ` The relink moved the due date of ${dueDatesMoved.join(', ')} for Alma's Overdue and Lost Loan job: it goes ` +
      "back to the loan's own first, or that job would declare the loan Lost and write to the patron."
    : '');

export const returnDecisionReason = (open: OpenLoan[], by?: string): string =>
  `${staffMember(by)} chose to return the loans of ${open.map((l) => `${l.barcode} (loan ${l.loanId})`).join(', ')}` +
  `: the relink returns them before restoring.`;

/** An item's status before the relink that Alma's API cannot set back (process_type is output only): what to do. */
export function priorStatusAdvice(processType: string): string {
  const code = processType.trim().toUpperCase();
  if (code === 'MISSING') {
    return (
      " Before the relink it was Missing, which Alma's API cannot set back: if it is still not on the shelf, " +
      'find it in Alma (Physical Items search) and mark it Missing again.'
    );
  }
  if (code === 'LOST_LOAN_AND_PAID' || code === 'LOST_AND_PAID') {
    return (
      " Before the relink it was Lost and paid, which Alma's API cannot set back: in Alma, give the item the status " +
      'your library uses for a lost item paid for and not on the shelf (mark it Missing, or withdraw it).'
    );
  }
  return '';
}

/** The state of an item the relink returned (or found Lost), for the audit and the item's `stateNow`. */
export function returnedState(
  result: {
    outcome: 'returned' | 'already-returned' | 'lost';
    inPlace?: boolean;
    processType?: string;
    destination?: string;
  },
  priorProcessType: string,
): string {
  if (result.outcome === 'lost') return 'declared Lost in Alma: the loan stays, as the relink intended.';
  const where = result.inPlace ? 'in place' : `not in place (process type ${result.processType || 'unknown'})`;
  return (
    `returned${result.outcome === 'already-returned' ? ' (Alma already showed the loan closed)' : ''}; ` +
    `now ${where}${result.destination ? `, ${result.destination}` : ''}.` +
    priorStatusAdvice(priorProcessType)
  );
}

/** What became of a due date the overdue-job mode had moved, when the loan was returned (returnLoan's dueDateBefore). */
export function dueDateBackLog(barcode: string, back: 'moved-back' | 'past' | 'refused', before: string): string {
  if (back === 'moved-back') return `Due date of ${barcode} moved back to ${before} before the return.`;
  const why = back === 'past' ? `its due date ${before} is past` : 'Alma refused to move it back';
  return `The due date of ${barcode} stays as the relink moved it (${why}): check Alma for an overdue fine after the return.`;
}

/** What staff read while the relink waits for Alma's Overdue and Lost Loan job (RELINK_LOST_MODE=overdue-job). */
export function lostJobInstructions(open: OpenLoan[], patronId: string, checkAt: string): StaffInstructions {
  const list = open.map((l) => `${l.barcode} ("${l.title ?? ''}", loan ${l.loanId})`).join('; ');
  return {
    situation: words`Nothing to do: Alma's Overdue and Lost Loan job is expected to declare ${list} Lost; the relink checks Alma at ${at(checkAt)} and, if the job has not acted, asks for the Lost click then.`,
    choices: [
      {
        act: words`To finish sooner, in Alma: Fulfillment > Manage Patron Services, patron ${patronId}, Loans tab: open the row actions (⋯) of each loan and choose "Lost"`,
        answer: 'confirm-lost',
      },
    ],
  };
}

export const quietPeriodInstructions = (until: string): StaffInstructions => ({
  situation: words`Nothing to do: the Lost click is confirmed, and the patron's email stays on the holding address until ${at(until)} so that the letters Alma's scheduled jobs send about the new fee (the fines/fees notification) go there; the patron's other letters go there too meanwhile. Then the relink restores the patron by itself.`,
  choices: [],
  also: [{ when: words`To restore them now instead`, answer: 'restore-now' }],
});

/** What staff read while a return Alma refused keeps the holding address in place. */
export function refusedReturnInstructions(
  refused: (OpenLoan & { cause: string })[],
  patronId: string,
): StaffInstructions {
  const list = refused.map((l) => `${l.barcode} ("${l.title ?? ''}", loan ${l.loanId}): ${l.cause}`).join('; ');
  return {
    situation: words`Alma refused to return ${list}. The holding address stays so that no letter about these loans reaches patron ${patronId}.`,
    choices: [
      {
        act: words`In Alma, return the item at Fulfillment > Return Items (or, on the patron's Loans tab, choose "Lost")`,
        answer: 'returned-in-alma',
        then: words`The relink checks Alma now; it also checks by itself, and tries the return again.`,
      },
      {
        answer: 'keep-loans',
        then: words`The loans stay active and not lost, and from then on Alma's letters about them go to the patron.`,
      },
    ],
  };
}

/** What staff read while the relink waits for them to loan an item at the desk (Alma refused the API loan). */
export function staffLoanInstructions(
  item: { barcode: string; title?: string },
  patronId: string,
  cause: string,
  until: string,
): StaffInstructions {
  return {
    situation: words`Alma refused the relink's loan of ${item.barcode} ("${item.title ?? ''}"): ${cause}. The item is scanned in and the holding address stays, so the loan receipt goes there.`,
    choices: [
      {
        act: words`In Alma: Fulfillment > Manage Patron Services, patron ${patronId}, scan barcode ${item.barcode} to loan it; if Alma asks, override the block or limit`,
        answer: 'loaned-at-desk',
      },
    ],
    note: words`(The relink also checks Alma by itself, until ${at(until)}.)`,
    also: [{ when: words`To give up on this item instead`, answer: 'give-up-loan' }],
  };
}

/** The audit line where the relink asks staff for the desk loan. */
export const staffLoanLog = (barcode: string, cause: string): string =>
  `Alma refused the API loan of ${barcode} (${cause}); a staff member can loan it at the desk with an override. The ` +
  'holding address stays while the relink waits for that loan.';

/** The state of an item left scanned in and not loaned (the desk loan given up). */
export const notLoanedState = (processType: string): string =>
  'scanned in and not loaned: do not loan it to the patron at the desk now (the patron would get the loan ' +
  `receipt).${priorStatusAdvice(processType)}`;

/** What the restore must put back, without an address or a number: for staff restoring by hand. */
export interface RestoreByHand {
  marker: string;
  /** The type of the patron's own preferred email (null: they had none; undefined: its type is not known). */
  emailType?: string | null;
  /** The types of the phones that took SMS. */
  smsTypes: string[];
}

/**
 * What staff read while Alma refuses the restore with an answer that will not change by itself (restore-refused).
 * `cause`: the refused attempt's message, Alma's words quoted ("Alma refuses to restore patron P's email: ...").
 */
export function refusedRestoreInstructions(patronId: string, cause: string, what: RestoreByHand): StaffInstructions {
  const email =
    what.emailType === null
      ? 'no email of theirs was preferred before, so make none preferred'
      : `make the patron's own email${what.emailType ? ` (type ${what.emailType})` : ''} preferred again`;
  const sms =
    what.smsTypes.length === 0
      ? ''
      : `, tick "Preferred SMS" again on ${what.smsTypes.length === 1 ? 'the phone' : `the ${what.smsTypes.length} phones`} ` +
        `that had it (type ${what.smsTypes.join(', ')})`;
  return {
    situation: words`${cause}. Until the patron's email and SMS settings are restored, their notices go to the holding address. The relink tries again every few minutes by itself.`,
    choices: [
      {
        act: words`In Alma, Manage Users, patron ${patronId}: correct what Alma's message names, and save`,
        then: words`The next try goes through.`,
      },
      {
        act: words`Restore them by hand in Alma: Manage Users, patron ${patronId}, Contact Information tab: delete the email whose description starts with ${what.marker}, ${email}${sms}, and save`,
      },
    ],
    note: words`Either way the relink reads the record at its next try, finds it restored and ends.`,
  };
}
