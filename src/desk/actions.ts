// The buttons that answer what a relink waits for. One line each: what it waits for, the label staff see (the one the
// relink's instructions name, ANSWER_BUTTONS), and the RelinkClient call it makes with the signed-in name.
import type { RelinkClient, RelinkProgress } from '../client';
import { ANSWER_BUTTONS, LOST_CLICK_WAITS, type StaffAnswer } from '../contract';
import { afterProceed } from './proceed';

/** A page that asks before the action (GET shows it, the POST it sends acts): what will happen, in staff words. */
export interface Confirmation {
  title: string;
  /** The confirming button's label. */
  yes: string;
  explain(progress: RelinkProgress | undefined): string[];
}

/** The relink's loans, as staff find them in Alma: barcode, title and loan id (no patron data). */
function loansOf(progress: RelinkProgress | undefined): string {
  const loans = (progress?.items ?? []).filter((i) => i.loanId && i.phase !== 'returned');
  if (!loans.length) return 'its loans';
  return loans.map((i) => `${i.barcode}${i.title ? ` ("${i.title}")` : ''}, loan ${i.loanId}`).join('; ');
}

export interface DeskAction {
  /** The path segment of its form: POST /relinks/<id>/<action id>; the answer the relink's instructions name. */
  id: StaffAnswer;
  /** The relink's `awaiting` states it answers. */
  awaiting: readonly string[];
  label: string;
  /** Shown as a secondary (cautious) button. */
  caution?: boolean;
  /** Asked on a page of its own before it acts. */
  confirm?: Confirmation;
  /** Does it; returns what to tell the staff member. */
  run(relinks: RelinkClient, workflowId: string, staff: string): Promise<string>;
}

export const ACTIONS: DeskAction[] = [
  {
    id: 'confirm-lost',
    // Past the Lost deadline (overdue) a Lost click still finishes the relink normally.
    awaiting: LOST_CLICK_WAITS,
    label: ANSWER_BUTTONS['confirm-lost'],
    run: async (relinks, id, staff) => {
      await relinks.confirmLost(id, undefined, staff);
      return 'Told the relink that you clicked Lost: it checks Alma now.';
    },
  },
  {
    id: 'proceed',
    awaiting: ['request-review'],
    label: ANSWER_BUTTONS.proceed,
    // The relink reads the queue again at once; the page says what it found (a request still there brings the card back).
    run: async (relinks, id, staff) =>
      afterProceed(relinks, id, await relinks.review(id, { decision: 'proceed', by: staff })),
  },
  {
    id: 'abort',
    awaiting: ['request-review'],
    label: ANSWER_BUTTONS.abort,
    caution: true,
    run: (relinks, id, staff) => relinks.review(id, { decision: 'abort', by: staff }),
  },
  {
    id: 'return-loans',
    awaiting: ['overdue'],
    label: ANSWER_BUTTONS['return-loans'],
    caution: true,
    run: (relinks, id, staff) => relinks.returnLoans(id, staff),
  },
  {
    id: 'returned-in-alma',
    // After a give-up Alma refused the return: staff returned the item (or clicked Lost) in Alma themselves.
    awaiting: ['return-refused'],
    label: ANSWER_BUTTONS['returned-in-alma'],
    run: async (relinks, id, staff) => {
      await relinks.confirmLost(id, undefined, staff);
      return 'Told the relink: it tries the return again now, and restores the patron once Alma shows no active loan.';
    },
  },
  {
    id: 'loaned-at-desk',
    // Alma refused the relink's loan: staff loaned the item at the desk in Alma (with an override).
    awaiting: ['staff-loan'],
    label: ANSWER_BUTTONS['loaned-at-desk'],
    run: async (relinks, id, staff) => {
      await relinks.confirmLost(id, undefined, staff);
      return 'Told the relink: it looks for the loan in Alma now, and goes on to the Lost click once it finds it.';
    },
  },
  {
    id: 'give-up-loan',
    awaiting: ['staff-loan'],
    label: ANSWER_BUTTONS['give-up-loan'],
    caution: true,
    confirm: {
      title: 'Give up on this item?',
      yes: 'Yes, give up on this item',
      explain: () => [
        'The relink stops waiting for the loan at the desk. The item stays scanned in and not loaned: do not loan ' +
          'it to the patron at the desk afterwards, or the loan receipt reaches them.',
        "The relink goes on with its other items, or puts the patron's own email back and ends.",
      ],
    },
    run: (relinks, id, staff) => relinks.review(id, { decision: 'abort', by: staff }),
  },
  {
    id: 'keep-loans',
    awaiting: ['overdue', 'return-refused'],
    label: ANSWER_BUTTONS['keep-loans'],
    caution: true,
    confirm: {
      title: 'Keep the loans?',
      yes: 'Yes, keep the loans and restore the email',
      explain: (progress) => [
        `The relink ends and leaves these loans active and not lost in Alma: ${loansOf(progress)}. It puts the ` +
          "patron's own email back now.",
        "From then on Alma's letters about these loans reach the patron: due-date reminders and overdue notices, " +
          'and, if someone clicks Lost or a fee is added later, the Lost Loan letter and the fee notices.',
        'To keep every letter away from the patron, go back and choose another button instead.',
      ],
    },
    run: (relinks, id, staff) => relinks.keepLoans(id, staff),
  },
  {
    id: 'restore-now',
    awaiting: ['quiet-period'],
    label: ANSWER_BUTTONS['restore-now'],
    caution: true,
    confirm: {
      title: "Restore the patron's email now?",
      yes: "Yes, restore the patron's email now",
      explain: (progress) => [
        "The quiet period ends now and the relink puts the patron's own email back at once. The loans stay as they " +
          `are: ${loansOf(progress)}.`,
        "The quiet period keeps the letters Alma's scheduled jobs send about the new lost-item fees (the fines/fees " +
          'notification) on the holding address. If those jobs have not run yet, their letters about these fees ' +
          'reach the patron, and so does every other letter Alma sends from now on.',
      ],
    },
    run: (relinks, id, staff) => relinks.restoreNow(id, staff),
  },
];

export const actionsFor = (awaiting: string): DeskAction[] => ACTIONS.filter((a) => a.awaiting.includes(awaiting));
